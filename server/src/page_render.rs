//! Pages render to their end even when the visitor leaves early.
//!
//! Leptos 0.8 cleans up a page's reactive owner as the last item of the
//! streamed HTML. When the visitor leaves first, the stream (or the handler
//! still waiting for its first chunk) is dropped instead, and the owner is
//! torn down by whichever thread lets go of it last, while the page's
//! `<Suspense>` effects still run on other workers. Those effects then read
//! disposed resources and actions and panic, and a context lookup that
//! happens to drop the last reference to an ancestor owner deadlocks on the
//! owner's own lock, leaving a worker thread stuck for good (Leptos 0.9
//! fixes both upstream; see docs/decisions.md).
//!
//! So a page renders in a task of its own, and the rest of a stream that
//! nobody reads any more is read to its end and thrown away: the reactive
//! cleanup then always runs where Leptos runs it for a finished page. A
//! page left early costs what a page read to the end costs, no more, and
//! shutting down waits for such renders (`PageRenders::finish`).

use app::server::db::under_current_claim;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio_util::task::TaskTracker;
use tokio_util::task::task_tracker::TaskTrackerToken;
use tracing::Instrument;

/// How long a page nobody reads any more may take to finish rendering.
/// Its data comes from the database, whose pool gives up within seconds.
pub const ABANDONED_RENDER_LIMIT: Duration = Duration::from_secs(30);

/// The renders under way in tasks of their own, so that shutting down can
/// wait for them instead of tearing their pages down half-way.
#[derive(Clone, Default)]
pub struct PageRenders(TaskTracker);

impl PageRenders {
    /// Waits, for at most `limit`, until every render has finished. False
    /// when some did not.
    pub async fn finish(&self, limit: Duration) -> bool {
        self.0.close();
        tokio::time::timeout(limit, self.0.wait()).await.is_ok()
    }
}

/// Renders the page in a task that the visitor's leaving does not cancel,
/// and hands out a body that finishes the render if it is dropped early.
pub async fn render_to_the_end(
    State(renders): State<PageRenders>,
    request: Request,
    next: Next,
) -> Response {
    let in_flight = renders.0.token();
    let render = async move {
        next.run(request).await.map(|body| {
            Body::new(FinishedWhenDropped {
                body: Some(body),
                // Counted until the body ends or its rest has been read, so
                // that shutting down never finds the tracker empty between
                // this task's end and the start of the reading.
                in_flight,
            })
        })
    };
    // Server functions answer here too, and their changes must see the
    // request's idempotency claim.
    let render = under_current_claim(render).in_current_span();
    match renders.0.spawn(render).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A page's body; dropped before its end, it reads the rest in the
/// background so that the page's reactive cleanup runs.
struct FinishedWhenDropped {
    body: Option<Body>,
    in_flight: TaskTrackerToken,
}

impl http_body::Body for FinishedWhenDropped {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(None);
        };
        let frame = std::task::ready!(Pin::new(body).poll_frame(context));
        if frame.is_none() {
            self.body = None;
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body
            .as_ref()
            .is_none_or(http_body::Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.body
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), http_body::Body::size_hint)
    }
}

impl Drop for FinishedWhenDropped {
    fn drop(&mut self) {
        let Some(body) = self.body.take() else {
            return;
        };
        if http_body::Body::is_end_stream(&body) {
            return;
        }
        // Outside a runtime (it is shutting down) there is nothing left to
        // run the page's tasks either.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let in_flight = self.in_flight.clone();
        runtime.spawn(
            async move {
                let _in_flight = in_flight;
                let finished = tokio::time::timeout(ABANDONED_RENDER_LIMIT, drain(body)).await;
                if finished.is_err() {
                    tracing::warn!("a page left by its visitor did not finish rendering in time");
                }
            }
            .in_current_span(),
        );
    }
}

async fn drain(mut body: Body) {
    while let Some(frame) = body.frame().await {
        if frame.is_err() {
            return;
        }
    }
}
