//! What users choose for themselves, kept with their account so that it
//! follows them from device to device.

use crate::model::ListLayout;
use crate::server::auth::CurrentUser;
use crate::server::db::{self, Db};
use crate::server::error::AppResult;

/// Keeps how `user`'s order lists show orders.
pub async fn set_list_layout(pool: &Db, user: &CurrentUser, layout: ListLayout) -> AppResult<()> {
    let mut tx = db::begin_write(pool).await?;
    sqlx::query("UPDATE users SET list_layout = $1 WHERE id = $2")
        .bind(layout.as_str())
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
