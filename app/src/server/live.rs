//! Live updates. Each change to an order and each notification is written
//! to `live_events` in the transaction of the change (so that a client
//! that reconnects can be sent what it missed), and handed to the open
//! event streams once it has committed: within this process on SQLite, the
//! single-instance engine; through PostgreSQL's LISTEN/NOTIFY to every
//! instance on PostgreSQL. Each process has one [`LiveHub`] per database,
//! which spreads the events to its streams; each stream keeps those its
//! user may see, by the same scope as the lists.

use crate::model::{EventKind, NotificationArrived, OrderChanged};
use crate::rules::{Permission, Status};
use crate::server::auth::{self, CurrentUser};
use crate::server::db::{Db, Engine, Tx, database_url, flag};
use crate::server::error::{AppError, AppResult};
use crate::server::sql::{Sql, sees_order};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};

/// The PostgreSQL channel that committed events are announced on.
const CHANNEL: &str = "portal_live";
/// How far a stream may fall behind the hub before it is ended: its client
/// reconnects and is sent what it missed from the table instead.
const HUB_CAPACITY: usize = 4096;
/// The most events a reconnecting client is sent; one that missed more is
/// told to load everything again (`reset`).
pub const REPLAY_LIMIT: usize = 1000;
/// How long events are kept for clients that reconnect.
pub const KEEP_MS: i64 = 24 * 3_600_000;
/// How long a browser waits before it reconnects a stream that ended.
pub const RETRY_AFTER: Duration = Duration::from_secs(2);
/// The most streams one user may hold open on one instance unless
/// configured otherwise: a tab each, with room to spare. Each costs a
/// task, memory and a session check.
pub const STREAMS_PER_USER: usize = 16;

/// A row of `live_events`, as every query reads it (unqualified, so that
/// an insert's `RETURNING` and a select share it).
const COLUMNS: &str = "id, kind, order_id, company_id, placed_by, recipient_id, \
                       change, number, status, internal, created_at";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveKind {
    Order,
    Notification,
}

impl LiveKind {
    fn as_str(self) -> &'static str {
        match self {
            LiveKind::Order => "order",
            LiveKind::Notification => "notification",
        }
    }
}

/// One row of `live_events`: what changed, and whose scope it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub id: i64,
    pub kind: LiveKind,
    pub order_id: Option<i64>,
    pub company_id: Option<i64>,
    pub placed_by: Option<i64>,
    pub recipient_id: Option<i64>,
    /// An order's `EventKind`, or a notification's kind.
    pub change: String,
    pub number: Option<String>,
    pub status: Option<String>,
    /// About an internal note: for those who may read internal notes.
    #[serde(default)]
    pub internal: bool,
    pub created_at: i64,
}

/// What a stream sends for an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Order(OrderChanged),
    Notification(NotificationArrived),
}

impl LiveEvent {
    fn from_row(row: &AnyRow) -> AppResult<LiveEvent> {
        let kind: String = row.try_get("kind")?;
        Ok(LiveEvent {
            id: row.try_get("id")?,
            kind: match kind.as_str() {
                "order" => LiveKind::Order,
                "notification" => LiveKind::Notification,
                other => return Err(AppError::Internal(format!("live event kind `{other}`"))),
            },
            order_id: row.try_get("order_id")?,
            company_id: row.try_get("company_id")?,
            placed_by: row.try_get("placed_by")?,
            recipient_id: row.try_get("recipient_id")?,
            change: row.try_get("change")?,
            number: row.try_get("number")?,
            status: row.try_get("status")?,
            internal: flag(row.try_get("internal")?),
            created_at: row.try_get("created_at")?,
        })
    }

    /// Whether `user` may learn of this event: an order in the scope of
    /// their lists, or a notification of their own.
    pub fn visible_to(&self, user: &CurrentUser) -> bool {
        match self.kind {
            LiveKind::Order => {
                sees_order(user, self.company_id, self.placed_by)
                    && (!self.internal || user.can(Permission::OrdersInternalNotes))
            }
            LiveKind::Notification => self.recipient_id == Some(user.id),
        }
    }

    /// What the stream sends for it; `None` for a row it cannot read.
    pub fn message(&self) -> Option<Message> {
        match self.kind {
            LiveKind::Order => Some(Message::Order(OrderChanged {
                order_id: self.order_id?,
                number: self.number.clone()?,
                status: self.status.as_deref()?.parse::<Status>().ok()?,
                change: self.change.parse::<EventKind>().ok()?,
            })),
            LiveKind::Notification => Some(Message::Notification(NotificationArrived {
                order_id: self.order_id,
                kind: self.change.clone(),
            })),
        }
    }
}

/// Records, in `tx`, that order `order_id` changed (`change`); its scope,
/// number and status are read from the order as `tx` left it.
pub(crate) async fn record_order_change(
    tx: &mut Tx,
    order_id: i64,
    change: EventKind,
    at: i64,
) -> AppResult<()> {
    record_change(tx, order_id, change, false, at).await
}

/// Records, in `tx`, an internal note on order `order_id`: only those who
/// may read internal notes hear of it.
pub(crate) async fn record_internal_note(tx: &mut Tx, order_id: i64, at: i64) -> AppResult<()> {
    record_change(tx, order_id, EventKind::Note, true, at).await
}

async fn record_change(
    tx: &mut Tx,
    order_id: i64,
    change: EventKind,
    internal: bool,
    at: i64,
) -> AppResult<()> {
    record(tx, |insert| {
        insert
            .push(
                "INSERT INTO live_events (kind, order_id, company_id, placed_by, change, number, status, internal, created_at) \
                 SELECT 'order', o.id, o.company_id, o.placed_by, ",
            )
            .bind_text(change.as_str())
            .push(", o.number, o.status, ")
            .bind_int(i64::from(internal))
            .push(", ")
            .bind_int(at)
            .push(" FROM orders o WHERE o.id = ")
            .bind_int(order_id);
    })
    .await
}

/// Records, in `tx`, a notification of `kind` about `order_id` for each
/// of `recipients`: one statement per thousand, within every engine's
/// limit on bound values.
pub(crate) async fn record_notifications(
    tx: &mut Tx,
    recipients: &[i64],
    order_id: i64,
    kind: &str,
    at: i64,
) -> AppResult<()> {
    for chunk in recipients.chunks(1000) {
        record(tx, |insert| {
            insert.push(
                "INSERT INTO live_events (kind, order_id, recipient_id, change, created_at) VALUES ",
            );
            for (index, recipient) in chunk.iter().enumerate() {
                insert
                    .push(if index == 0 { "(" } else { ", (" })
                    .bind_text(LiveKind::Notification.as_str())
                    .push(", ")
                    .bind_int(order_id)
                    .push(", ")
                    .bind_int(*recipient)
                    .push(", ")
                    .bind_text(kind)
                    .push(", ")
                    .bind_int(at)
                    .push(")");
            }
        })
        .await?;
    }
    Ok(())
}

/// Writes to `live_events` by the `INSERT` (without `RETURNING`) that
/// `write_insert` writes, in `tx`, and hands what it wrote to the streams
/// once `tx` commits: on PostgreSQL by a notification in the same
/// statement, which the database delivers to every instance's listener at
/// commit (and drops on rollback); on SQLite to this process's hub.
async fn record(tx: &mut Tx, write_insert: impl FnOnce(&mut Sql)) -> AppResult<()> {
    match tx.engine() {
        Engine::Postgres => {
            // One round trip per change. The count is read because the
            // `void` that pg_notify returns is no type the `Any` driver
            // reads.
            let mut sql = Sql::new("WITH ev AS (");
            write_insert(&mut sql);
            sql.push(" RETURNING ")
                .push(COLUMNS)
                .push("), sent AS (SELECT pg_notify(")
                .bind_text(CHANNEL)
                .push(", ")
                .push(PAYLOAD)
                .push(") FROM ev) SELECT COUNT(*) FROM sent");
            sql.query().execute(&mut **tx).await?;
        }
        Engine::Sqlite => {
            let mut sql = Sql::new("");
            write_insert(&mut sql);
            sql.push(" RETURNING ").push(COLUMNS);
            let events = sql
                .query()
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(LiveEvent::from_row)
                .collect::<AppResult<Vec<_>>>()?;
            let hub = hub(tx.database_url());
            tx.after_commit(move || {
                for event in events {
                    hub.send(event);
                }
            });
        }
    }
    Ok(())
}

/// A row of `ev` as the JSON of a [`LiveEvent`]: what the listener reads.
const PAYLOAD: &str = "json_build_object('id', id, 'kind', kind, 'order_id', order_id, \
     'company_id', company_id, 'placed_by', placed_by, 'recipient_id', recipient_id, \
     'change', change, 'number', number, 'status', status, 'internal', internal <> 0, \
     'created_at', created_at)::text";

/// Spreads the committed events of one database to this process's streams.
#[derive(Clone, Debug)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<LiveEvent>>,
    /// Whether this process's PostgreSQL listener for the database runs.
    listening: Arc<AtomicBool>,
    /// Open streams by user, on this instance.
    open: Arc<Mutex<HashMap<i64, usize>>>,
}

/// One open stream of a user, counted while it lasts.
struct OpenStream {
    open: Arc<Mutex<HashMap<i64, usize>>>,
    user_id: i64,
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.user_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.user_id);
            }
        }
    }
}

impl LiveHub {
    fn send(&self, event: LiveEvent) {
        // No stream open is no error.
        let _ = self.sender.send(Arc::new(event));
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.sender.subscribe()
    }

    /// Counts a new stream of `user_id`, unless they have `limit` open on
    /// this instance already.
    fn admit(&self, user_id: i64, limit: usize) -> Option<OpenStream> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(user_id).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(OpenStream {
            open: self.open.clone(),
            user_id,
        })
    }

    fn open_streams(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .values()
            .sum()
    }
}

/// Event streams open on this instance, over all users.
pub fn open_streams(db: &Db) -> usize {
    hub(&database_url(db)).open_streams()
}

/// The hub of the database at `url` (one process may open several, as the
/// tests do).
fn hub(url: &str) -> LiveHub {
    static HUBS: LazyLock<Mutex<HashMap<String, LiveHub>>> = LazyLock::new(Default::default);
    let mut hubs = HUBS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    hubs.entry(url.to_owned())
        .or_insert_with(|| LiveHub {
            sender: broadcast::channel(HUB_CAPACITY).0,
            listening: Arc::default(),
            open: Arc::default(),
        })
        .clone()
}

/// Clears the hub's "listening" mark when the listener's task ends, even
/// when its runtime is dropped.
struct Listening(Arc<AtomicBool>);

impl Drop for Listening {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// On PostgreSQL, starts this process's one LISTEN connection to the
/// database of `pool` (unless it runs already), which feeds the hub with
/// every instance's committed events. Nothing on SQLite.
pub fn spawn_listener(pool: &Db) {
    if Engine::of_pool(pool) != Engine::Postgres {
        return;
    }
    let url = database_url(pool);
    let hub = hub(&url);
    if hub.listening.swap(true, Ordering::SeqCst) {
        return;
    }
    let pool = pool.clone();
    tokio::spawn(async move {
        let _listening = Listening(hub.listening.clone());
        listen(&url, &pool, &hub).await;
    });
}

/// Listens for ever, reconnecting after a lost connection. What was
/// committed while the connection was lost is read back from the table.
async fn listen(url: &str, pool: &Db, hub: &LiveHub) {
    let mut relay = Relay::default();
    loop {
        match sqlx::postgres::PgListener::connect(url).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    // Listening: from here on nothing committed is missed.
                    // What came before, since the last event passed on,
                    // is read back (on the first connection, from now).
                    match relay.last_seen {
                        Some(after) => catch_up(pool, &mut relay, hub, after).await,
                        None => match latest_id(pool).await {
                            Ok(latest) => relay.last_seen = Some(latest),
                            Err(error) => {
                                tracing::error!(%error, "reading the newest live event failed")
                            }
                        },
                    }
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notification)) => {
                                match serde_json::from_str::<LiveEvent>(notification.payload()) {
                                    Ok(event) => relay.pass_on(hub, event),
                                    Err(error) => {
                                        tracing::error!(%error, "unreadable live event")
                                    }
                                }
                            }
                            Ok(None) => {
                                tracing::warn!("the live event listener lost its connection");
                                break;
                            }
                            Err(error) => {
                                tracing::warn!(%error, "the live event listener failed");
                                break;
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "could not listen for live events"),
            },
            Err(error) => tracing::warn!(%error, "could not connect the live event listener"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// What the listener passed on lately: an event read back from the table
/// may come again by notification, and is passed on once.
#[derive(Default)]
struct Relay {
    last_seen: Option<i64>,
    recent: HashSet<i64>,
    order: std::collections::VecDeque<i64>,
}

impl Relay {
    const REMEMBERED: usize = 4096;

    fn pass_on(&mut self, hub: &LiveHub, event: LiveEvent) {
        if !self.recent.insert(event.id) {
            return;
        }
        self.order.push_back(event.id);
        if self.order.len() > Self::REMEMBERED
            && let Some(oldest) = self.order.pop_front()
        {
            self.recent.remove(&oldest);
        }
        self.last_seen = self.last_seen.max(Some(event.id));
        hub.send(event);
    }
}

/// Passes on the events committed after `after` (those the listener
/// missed while disconnected).
async fn catch_up(pool: &Db, relay: &mut Relay, hub: &LiveHub, after: i64) {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM live_events e WHERE e.id > $1 ORDER BY e.id"
    ))
    .bind(after)
    .fetch_all(pool)
    .await;
    match rows {
        Ok(rows) => {
            for row in &rows {
                match LiveEvent::from_row(row) {
                    Ok(event) => relay.pass_on(hub, event),
                    Err(error) => tracing::error!(%error, "unreadable live event"),
                }
            }
        }
        Err(error) => tracing::error!(%error, "reading missed live events failed"),
    }
}

/// The events after `after` that `user` may see, oldest first, and
/// whether that is all of them: at most [`REPLAY_LIMIT`] are read, and
/// events older than [`KEEP_MS`] are gone. (Ids have gaps, left by changes
/// that rolled back, so a gap before the oldest event kept may be taken
/// for pruned events: the client then loads everything again, needlessly
/// but correctly.)
async fn missed(db: &Db, user: &CurrentUser, after: i64) -> AppResult<(Vec<LiveEvent>, bool)> {
    let limit = i64::try_from(REPLAY_LIMIT + 1).unwrap_or(i64::MAX);
    let mut orders = Sql::new(&format!(
        "SELECT {COLUMNS} FROM live_events e WHERE e.kind = 'order' AND e.id > "
    ));
    orders.bind_int(after).and_visible_to("e", user);
    if !user.can(Permission::OrdersInternalNotes) {
        orders.push(" AND e.internal = 0");
    }
    orders.push(" ORDER BY e.id LIMIT ").bind_int(limit);
    let mut notifications = Sql::new(&format!(
        "SELECT {COLUMNS} FROM live_events e WHERE e.recipient_id = "
    ));
    notifications
        .bind_int(user.id)
        .push(" AND e.id > ")
        .bind_int(after)
        .push(" ORDER BY e.id LIMIT ")
        .bind_int(limit);
    let mut events = Vec::new();
    for sql in [orders, notifications] {
        for row in sql.query().fetch_all(db).await? {
            events.push(LiveEvent::from_row(&row)?);
        }
    }
    events.sort_by_key(|event| event.id);
    // Events after `after` that were pruned meanwhile are missed too.
    let oldest_kept: i64 = sqlx::query("SELECT COALESCE(MIN(id), 0) AS oldest FROM live_events")
        .fetch_one(db)
        .await?
        .try_get("oldest")?;
    let pruned = oldest_kept > after.saturating_add(1);
    let complete = events.len() <= REPLAY_LIMIT && !pruned;
    events.truncate(REPLAY_LIMIT);
    Ok((events, complete))
}

/// The newest event's id; 0 before the first.
async fn latest_id(db: &Db) -> AppResult<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS latest FROM live_events")
        .fetch_one(db)
        .await?;
    Ok(row.try_get("latest")?)
}

/// Forgets the events older than [`KEEP_MS`]; a client away for longer
/// loads everything again.
pub async fn prune(db: &Db, now: i64) -> AppResult<u64> {
    Ok(sqlx::query("DELETE FROM live_events WHERE created_at < $1")
        .bind(now - KEEP_MS)
        .execute(db)
        .await?
        .rows_affected())
}

/// What an event stream sends, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    /// An event the user may see.
    Event { id: i64, message: Message },
    /// The client missed more than can be sent again: it should load
    /// everything it shows afresh.
    Reset { id: i64 },
    /// Everything missed has been sent; live events follow. `id` is the
    /// newest event's, so that a reconnect asks only for what comes after.
    Ready { id: i64 },
    /// Nothing happened lately; the session is still valid.
    KeepAlive,
}

/// Who a stream is for, and where it starts.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub user: CurrentUser,
    /// The session token the stream was opened with: the stream ends when
    /// that session does.
    pub session_token: String,
    /// The client's `Last-Event-ID`: the events after it are sent first.
    pub last_event_id: Option<i64>,
}

/// How streams are kept: how each checks that its session still holds,
/// and how many one user may hold.
#[derive(Debug, Clone, Copy)]
pub struct StreamRules {
    /// The most streams one user may hold open on this instance.
    pub per_user: usize,
    /// How often the session is checked and a keep-alive sent.
    pub check_every: Duration,
    /// How long a session survives without a request.
    pub session_idle_ms: i64,
}

/// Opens an event stream: what was missed since `Last-Event-ID`, then
/// `Ready`, then the live events `user` may see, with keep-alives. It
/// ends when the session ends, when `stopping` turns true (the server
/// shuts down), when the client goes away or falls too far behind, or on
/// a database error: in each case the client reconnects (and is sent what
/// it missed), elsewhere if this instance is going away.
///
/// A user who has as many streams open here as `rules` allow is asked to
/// try again later (429).
pub fn open_stream(
    db: Db,
    rules: StreamRules,
    stopping: watch::Receiver<bool>,
    subscription: Subscription,
) -> AppResult<mpsc::Receiver<StreamItem>> {
    let hub = hub(&database_url(&db));
    let open = hub
        .admit(subscription.user.id, rules.per_user)
        .ok_or(AppError::TooManyRequests(RETRY_AFTER.as_secs()))?;
    let (out, items) = mpsc::channel(64);
    // Subscribed before anything is read, so that nothing committed
    // meanwhile is lost.
    let events = hub.subscribe();
    tokio::spawn(async move {
        let _open = open;
        if let Err(error) = run_stream(&db, rules, stopping, subscription, events, &out).await {
            tracing::warn!(%error, "an event stream ended on an error");
        }
    });
    Ok(items)
}

async fn run_stream(
    db: &Db,
    rules: StreamRules,
    mut stopping: watch::Receiver<bool>,
    subscription: Subscription,
    mut events: broadcast::Receiver<Arc<LiveEvent>>,
    out: &mpsc::Sender<StreamItem>,
) -> AppResult<()> {
    let Subscription {
        mut user,
        session_token,
        last_event_id,
    } = subscription;
    let mut ready_id = latest_id(db).await?;
    // Events sent from the table that may come again from the hub.
    let mut replayed = HashSet::new();
    if let Some(after) = last_event_id {
        let (missed, complete) = missed(db, &user, after).await?;
        for event in missed {
            replayed.insert(event.id);
            let Some(message) = event.message() else {
                continue;
            };
            let item = StreamItem::Event {
                id: event.id,
                message,
            };
            if !deliver(out, &mut stopping, item).await {
                return Ok(());
            }
        }
        if !complete && !deliver(out, &mut stopping, StreamItem::Reset { id: ready_id }).await {
            return Ok(());
        }
        ready_id = ready_id.max(after);
    }
    if !deliver(out, &mut stopping, StreamItem::Ready { id: ready_id }).await {
        return Ok(());
    }
    let mut checks = tokio::time::interval(rules.check_every);
    checks.tick().await;
    loop {
        if *stopping.borrow() {
            return Ok(());
        }
        tokio::select! {
            _ = stopping.changed() => return Ok(()),
            // The client went away: the stream ends at once, not at the
            // next keep-alive.
            () = out.closed() => return Ok(()),
            _ = checks.tick() => {
                match auth::user_for_open_session(db, &session_token, rules.session_idle_ms).await? {
                    Some(current) => user = current,
                    None => return Ok(()),
                }
                if !deliver(out, &mut stopping, StreamItem::KeepAlive).await {
                    return Ok(());
                }
            }
            received = events.recv() => match received {
                Ok(event) => {
                    if replayed.remove(&event.id) || !event.visible_to(&user) {
                        continue;
                    }
                    if let Some(message) = event.message() {
                        let item = StreamItem::Event { id: event.id, message };
                        if !deliver(out, &mut stopping, item).await {
                            return Ok(());
                        }
                    }
                }
                // Fallen behind, or the hub is gone: the client
                // reconnects and reads what it missed from the table.
                Err(_) => return Ok(()),
            },
        }
    }
}

/// Sends `item` to the client; false when the client went away or the
/// server began to stop first (a client that stopped reading must not
/// hold up the shutdown).
async fn deliver(
    out: &mpsc::Sender<StreamItem>,
    stopping: &mut watch::Receiver<bool>,
    item: StreamItem,
) -> bool {
    if *stopping.borrow() {
        return false;
    }
    tokio::select! {
        sent = out.send(item) => sent.is_ok(),
        _ = stopping.changed() => false,
    }
}
