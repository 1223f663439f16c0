//! Live updates in the browser: the signed-in frame listens to
//! `GET /ordering/api/events` and tells the pages what changed, so that
//! lists, badges, the order page and the bell follow other people's
//! changes without a reload.
//!
//! Changes are passed on in batches, at most every [`SETTLE_MS`], and are
//! held back while the user is in the middle of something that a fresh
//! render would throw away: an open dialog, a note or a reason being
//! written. An open dialog is told at once when its order changes.

use crate::api_error::ApiError;
use crate::model::{NotificationArrived, OrderChanged};
use leptos::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The event stream's address.
pub const EVENTS_PATH: &str = "/ordering/api/events";
/// How long changes are gathered before pages fetch again: a staff move of
/// a hundred orders is one fetch, not a hundred.
pub const SETTLE_MS: u64 = 300;

/// Changes to orders, passed on together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeBatch {
    /// Grows with each batch; 0 before the first.
    pub generation: u64,
    /// The orders that changed.
    pub order_ids: Vec<i64>,
    /// Anything may have changed (the stream was lost and opened anew):
    /// fetch everything shown.
    pub everything: bool,
}

impl ChangeBatch {
    /// Whether a page showing order `id` should fetch it again.
    pub fn concerns(&self, id: i64) -> bool {
        self.generation > 0 && (self.everything || self.order_ids.contains(&id))
    }
}

/// What the signed-in frame provides to every page (see the module
/// documentation).
#[derive(Clone, Copy)]
pub struct LiveUpdates {
    /// The newest change to an order, as soon as it arrives.
    pub last_change: RwSignal<Option<OrderChanged>>,
    /// Changes to orders, gathered and not held back.
    pub batches: RwSignal<ChangeBatch>,
    /// Bumped for each new notification.
    pub notifications: RwSignal<u64>,
    /// Changes waiting to be passed on.
    pending: StoredValue<ChangeBatch>,
    /// Whether a batch is being gathered.
    gathering: StoredValue<bool>,
    /// What holds changes back now (open dialogs, drafts).
    holds: RwSignal<u32>,
}

impl LiveUpdates {
    fn new() -> LiveUpdates {
        LiveUpdates {
            last_change: RwSignal::new(None),
            batches: RwSignal::new(ChangeBatch::default()),
            notifications: RwSignal::new(0),
            pending: StoredValue::new(ChangeBatch::default()),
            gathering: StoredValue::new(false),
            holds: RwSignal::new(0),
        }
    }

    /// Takes an order's change.
    pub fn order_changed(self, change: OrderChanged) {
        let id = change.order_id;
        self.last_change.set(Some(change));
        self.pending.update_value(|pending| {
            if !pending.order_ids.contains(&id) {
                pending.order_ids.push(id);
            }
        });
        self.settle();
    }

    /// Everything shown may be out of date.
    pub fn everything_changed(self) {
        self.pending
            .update_value(|pending| pending.everything = true);
        self.notifications.update(|count| *count += 1);
        self.settle();
    }

    pub fn notification_arrived(self, _notification: NotificationArrived) {
        self.notifications.update(|count| *count += 1);
    }

    /// Passes the pending changes on after [`SETTLE_MS`].
    fn settle(self) {
        if self.gathering.get_value() {
            return;
        }
        self.gathering.set_value(true);
        let settled = move || {
            self.gathering.set_value(false);
            self.release();
        };
        // A browser that cannot set a timer gets the changes at once.
        if set_timeout(settled, std::time::Duration::from_millis(SETTLE_MS)).is_err() {
            settled();
        }
    }

    /// Passes the pending changes on, unless something holds them back.
    /// Quietly does nothing once the frame is gone.
    fn release(self) {
        if self.holds.try_get_untracked().is_none_or(|holds| holds > 0) {
            return;
        }
        let Some(pending) = self.pending.try_get_value() else {
            return;
        };
        if pending.order_ids.is_empty() && !pending.everything {
            return;
        }
        self.pending.set_value(ChangeBatch::default());
        let generation = self.batches.get_untracked().generation + 1;
        self.batches.set(ChangeBatch {
            generation,
            ..pending
        });
    }

    /// Holds changes back while `busy` is true (a dialog open, a draft
    /// being written), and passes on what waited once it turns false or
    /// the component that asked goes away.
    pub fn hold_while(self, busy: impl Fn() -> bool + Send + Sync + 'static) {
        let held = Arc::new(AtomicBool::new(false));
        let holding = held.clone();
        Effect::new(move |_| {
            let busy = busy();
            if holding.swap(busy, Ordering::Relaxed) != busy {
                if busy {
                    self.holds.update(|holds| *holds += 1);
                } else {
                    self.let_go();
                }
            }
        });
        on_cleanup(move || {
            if held.swap(false, Ordering::Relaxed) {
                self.let_go();
            }
        });
    }

    fn let_go(self) {
        self.holds
            .try_update(|holds| *holds = holds.saturating_sub(1));
        self.release();
    }
}

/// The live updates of the signed-in frame, if there is one.
pub fn use_live_updates() -> Option<LiveUpdates> {
    use_context::<LiveUpdates>()
}

/// Fetches `fresh` and bumps `version` (drawing the page again) unless it
/// equals what `shown` holds. A page's own changes come back by the
/// stream after the page has shown their result: drawing again then would
/// throw away what the user started meanwhile (a file chosen, a field
/// focused) for nothing.
pub fn redraw_if_changed<T>(
    shown: Resource<Result<T, ApiError>>,
    fresh: impl Future<Output = Result<T, ApiError>> + 'static,
    version: RwSignal<u32>,
) where
    T: PartialEq + Send + Sync + 'static,
{
    leptos::task::spawn_local(async move {
        let fresh = fresh.await;
        let unchanged = shown.with_untracked(
            |shown| matches!((shown, &fresh), (Some(Ok(shown)), Ok(fresh)) if shown == fresh),
        );
        if !unchanged {
            version.update(|version| *version += 1);
        }
    });
}

/// Holds changes back while `draft` has text: a fresh render of the page
/// would throw the draft away.
pub fn hold_while_writing(draft: RwSignal<String>) {
    if let Some(live) = use_live_updates() {
        live.hold_while(move || draft.with(|text| !text.trim().is_empty()));
    }
}

/// Provides [`LiveUpdates`] and, in the browser, opens the event stream
/// for as long as the signed-in frame is shown.
pub fn provide_live_updates() -> LiveUpdates {
    let live = LiveUpdates::new();
    provide_context(live);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| browser::listen(live));
    live
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{EVENTS_PATH, LiveUpdates};
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;
    use web_sys::{EventSource, MessageEvent};

    /// The longest wait before opening a stream that failed again.
    const MAX_BACKOFF: Duration = Duration::from_secs(60);

    /// An open stream and the handlers it calls.
    struct Connection {
        source: EventSource,
        _handlers: Vec<Closure<dyn FnMut(MessageEvent)>>,
        _on_error: Closure<dyn FnMut(web_sys::Event)>,
    }

    impl Drop for Connection {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    /// The frame's stream; `stopped` once the frame is gone.
    #[derive(Default)]
    struct Listener {
        connection: Option<Connection>,
        failures: u32,
        stopped: bool,
        /// The browser is reconnecting a stream that broke. The server
        /// sends what was missed, but on PostgreSQL a change whose id is
        /// below one already seen may commit meanwhile: once reconnected,
        /// everything shown is fetched again.
        reconnecting: bool,
    }

    pub fn listen(live: LiveUpdates) {
        let listener = Rc::new(RefCell::new(Listener::default()));
        connect(live, listener.clone(), false);
        let listener = send_wrapper::SendWrapper::new(listener);
        on_cleanup(move || {
            let mut listener = listener.borrow_mut();
            listener.stopped = true;
            listener.connection = None;
        });
    }

    /// Opens the stream. The browser reconnects a stream that broke by
    /// itself, asking for what it missed; a stream the server refused
    /// (signed out, restarting) is opened anew here after a pause, and
    /// then everything shown is fetched again.
    fn connect(live: LiveUpdates, listener: Rc<RefCell<Listener>>, reopened: bool) {
        let Ok(source) = EventSource::new(EVENTS_PATH) else {
            return;
        };
        let mut handlers = Vec::new();
        let mut on = |name: &str, handle: Box<dyn Fn(&str)>| {
            let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(data) = event.data().as_string() {
                    handle(&data);
                }
            });
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
            handlers.push(handler);
        };
        on(
            "order",
            Box::new(move |data| {
                if let Ok(change) = serde_json::from_str(data) {
                    live.order_changed(change);
                }
            }),
        );
        on(
            "notification",
            Box::new(move |data| {
                if let Ok(notification) = serde_json::from_str(data) {
                    live.notification_arrived(notification);
                }
            }),
        );
        on("reset", Box::new(move |_| live.everything_changed()));
        let ready_listener = listener.clone();
        on(
            "ready",
            Box::new(move |_| {
                let reconnected = {
                    let mut state = ready_listener.borrow_mut();
                    state.failures = 0;
                    std::mem::take(&mut state.reconnecting)
                };
                if reopened || reconnected {
                    live.everything_changed();
                }
            }),
        );
        let error_listener = listener.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let state = error_listener
                .borrow()
                .connection
                .as_ref()
                .map(|connection| connection.source.ready_state());
            match state {
                Some(EventSource::CLOSED) => reopen_later(live, error_listener.clone()),
                Some(EventSource::CONNECTING) => error_listener.borrow_mut().reconnecting = true,
                _ => {}
            }
        });
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        listener.borrow_mut().connection = Some(Connection {
            source,
            _handlers: handlers,
            _on_error: on_error,
        });
    }

    fn reopen_later(live: LiveUpdates, listener: Rc<RefCell<Listener>>) {
        let wait = {
            let mut state = listener.borrow_mut();
            state.connection = None;
            state.failures += 1;
            Duration::from_secs(1u64 << state.failures.min(6)).min(MAX_BACKOFF)
        };
        // Without a timer there is no way to wait; the page then stays
        // as it is, as it would with the stream closed for good.
        let _ = set_timeout(
            move || {
                if !listener.borrow().stopped {
                    connect(live, listener, true);
                }
            },
            wait,
        );
    }
}
