//! A small builder for SQL whose shape depends on the request (filters,
//! tenant scope), numbering `$n` placeholders as both engines expect.

use crate::rules::{Status, Visibility};
use crate::server::auth::CurrentUser;
use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

#[derive(Debug, Clone)]
enum Param {
    Int(i64),
    OptionalInt(Option<i64>),
    Text(String),
}

#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    params: Vec<Param>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            params: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    pub fn bind_int(&mut self, value: i64) -> &mut Sql {
        self.params.push(Param::Int(value));
        self.placeholder()
    }

    /// Binds `NULL` for `None`.
    pub fn bind_optional_int(&mut self, value: Option<i64>) -> &mut Sql {
        self.params.push(Param::OptionalInt(value));
        self.placeholder()
    }

    pub fn bind_text(&mut self, value: impl Into<String>) -> &mut Sql {
        self.params.push(Param::Text(value.into()));
        self.placeholder()
    }

    /// `$n, $n+1, …`, one bound placeholder per value (for `IN (…)`).
    pub fn bind_int_list(&mut self, values: &[i64]) -> &mut Sql {
        for (index, value) in values.iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.bind_int(*value);
        }
        self
    }

    fn placeholder(&mut self) -> &mut Sql {
        let number = self.params.len();
        self.text.push_str(&format!("${number}"));
        self
    }

    /// ` AND <alias>.status IN (...)`, bound, for a non-empty list.
    pub fn and_status_in(&mut self, column: &str, statuses: &[Status]) -> &mut Sql {
        self.push(" AND ").push(column).push(" IN (");
        for (index, status) in statuses.iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.bind_text(status.as_str());
        }
        self.push(")")
    }

    /// ` AND <the orders `alias` that `user` may see>`: tenant isolation is
    /// part of every query, never a filter applied afterwards.
    pub fn and_visible_to(&mut self, alias: &str, user: &CurrentUser) -> &mut Sql {
        self.and_in_scope_of(alias, "placed_by", user)
    }

    /// ` AND <the rows of `alias` in the scope of `user`>`, for any table
    /// scoped like orders: by `company_id`, and by `own_column` (the user
    /// who made the row) for users who see only their own.
    pub fn and_in_scope_of(
        &mut self,
        alias: &str,
        own_column: &str,
        user: &CurrentUser,
    ) -> &mut Sql {
        match user.visibility() {
            Visibility::All => self,
            Visibility::Company => match &user.company {
                Some(company) => self
                    .push(&format!(" AND {alias}.company_id = "))
                    .bind_int(company.id),
                None => self.push(" AND 1 = 0"),
            },
            Visibility::Own => self
                .push(&format!(" AND {alias}.{own_column} = "))
                .bind_int(user.id),
        }
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        self.params
            .iter()
            .fold(sqlx::query(&self.text), |query, param| match param {
                Param::Int(value) => query.bind(*value),
                Param::OptionalInt(value) => query.bind(*value),
                Param::Text(value) => query.bind(value.as_str()),
            })
    }
}

/// Whether `user` may see an order of `company_id` placed by `placed_by`:
/// [`Sql::and_visible_to`] for a row already read.
pub fn sees_order(user: &CurrentUser, company_id: Option<i64>, placed_by: Option<i64>) -> bool {
    match user.visibility() {
        Visibility::All => true,
        Visibility::Company => user
            .company
            .as_ref()
            .is_some_and(|company| company_id == Some(company.id)),
        Visibility::Own => placed_by == Some(user.id),
    }
}

/// Which row set of the `order_counts` table holds the badge counts of
/// `user`: the same scope as [`Sql::and_visible_to`], as the table's
/// triggers key it. `None` for a user who can see no orders.
pub fn count_scope(user: &CurrentUser) -> Option<(&'static str, i64)> {
    match user.visibility() {
        Visibility::All => Some(("all", 0)),
        Visibility::Company => user.company.as_ref().map(|company| ("company", company.id)),
        Visibility::Own => Some(("placer", user.id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind_int(1).push(" AND b = ").bind_text("x");
        sql.and_status_in("o.status", &[Status::Pending, Status::OnHold]);
        assert_eq!(
            sql.text,
            "SELECT 1 WHERE a = $1 AND b = $2 AND o.status IN ($3, $4)"
        );
        assert_eq!(sql.params.len(), 4);
    }
}
