//! The live event stream: what changed, as it happens.

use super::table::Routes;
use app::server::auth::CurrentUser;
use app::server::error::{AppError, AppResult, ErrorBody};
use app::server::live::{self, Message, StreamItem, Subscription};
use app::server::session::session_token;
use app::server::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use futures_util::Stream;
use std::convert::Infallible;

/// One event of the stream, as its fields arrive (keep-alives are comments).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct StreamEvent {
    event: StreamEventKind,
    /// Send it back as `Last-Event-ID` on reconnecting.
    id: String,
    /// JSON: an `OrderChanged` for `order`, a `NotificationArrived` for
    /// `notification`, `{}` for `ready` and `reset`.
    data: String,
    /// Milliseconds to wait before reconnecting (with `ready`).
    retry: Option<u64>,
}

#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum StreamEventKind {
    Order,
    Notification,
    Ready,
    Reset,
}

pub fn router() -> Routes {
    Routes::new().get("/events", events)
}

/// `GET /ordering/api/events`: a `text/event-stream` of the changes the
/// signed-in user may see. `event: order` for each change to an order in
/// the scope of their lists, `event: notification` for each notification
/// of theirs; each with a growing `id`. A reconnect with `Last-Event-ID`
/// is first sent what it missed. `event: ready` says that everything
/// missed has been sent (`event: reset` before it: more was missed than
/// is kept; load everything again). Keep-alive comments follow every 15 s;
/// the stream ends when the session does, and when the server shuts down.
/// A user may hold `LIVE_STREAMS_PER_USER` streams (16) open on one
/// instance; the next answers 429.
#[utoipa::path(get, path = "/ordering/api/events", tag = "events", operation_id = "events_stream",
    params(("last-event-id" = Option<i64>, Header, description = "The last event received: the stream starts after it")),
    responses((status = 200, description = "A `text/event-stream` that does not end: `order` events carry an `OrderChanged`, `notification` events a `NotificationArrived`", content_type = "text/event-stream", body = StreamEvent),
        (status = 429, description = "`too_many_requests`: the user holds as many streams as allowed", body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let session_token = session_token(&headers, &state.settings).ok_or(AppError::Unauthorized)?;
    let last_event_id = match headers.get("last-event-id") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|id| id.trim().parse::<i64>().ok())
                .filter(|id| *id >= 0)
                .ok_or_else(|| {
                    AppError::BadRequest("Last-Event-ID must be an event's id.".to_owned())
                })?,
        ),
    };
    let items = live::open_stream(
        state.db.clone(),
        state.stream_rules(),
        state.stopping.clone(),
        Subscription {
            user,
            session_token,
            last_event_id,
        },
    )?;
    let stream = futures_util::stream::unfold(items, |mut items| async move {
        let item = items.recv().await?;
        Some((Ok(sse_event(item)), items))
    });
    Ok(Sse::new(stream))
}

fn sse_event(item: StreamItem) -> Event {
    match item {
        StreamItem::Event { id, message } => {
            let event = Event::default().id(id.to_string());
            let event = match &message {
                Message::Order(change) => event.event("order").json_data(change),
                Message::Notification(arrived) => event.event("notification").json_data(arrived),
            };
            // Our own shapes always serialise.
            event.unwrap_or_else(|_| Event::default().comment("unserialisable event"))
        }
        StreamItem::Reset { id } => Event::default()
            .event("reset")
            .id(id.to_string())
            .data("{}"),
        StreamItem::Ready { id } => Event::default()
            .event("ready")
            .id(id.to_string())
            .retry(live::RETRY_AFTER)
            .data("{}"),
        StreamItem::KeepAlive => Event::default().comment("keep-alive"),
    }
}
