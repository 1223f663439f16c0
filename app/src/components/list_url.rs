//! Lists whose state is their URL: the search, filters and sort are in the
//! query string, so a list can be linked to, reloads as it was, and Back
//! and Forward step through what was shown.

use crate::model::MIN_SEARCH_CHARS;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use leptos_router::params::ParamsMap;
use std::time::Duration;

/// How long typing pauses before the search is sent: one request per
/// pause, not one per key.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);

/// `path?query`, leaving out empty values.
pub fn href(path: &str, pairs: Vec<(&'static str, Option<String>)>) -> String {
    let mut params = ParamsMap::new();
    for (key, value) in pairs {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            params.insert(key, value);
        }
    }
    format!("{path}{}", params.to_query_string())
}

/// How a new state of a list goes into the browser's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// A step of its own, which Back returns from.
    Push,
    /// In place of the current one (typing, which would otherwise leave a
    /// step per pause).
    Replace,
}

/// Shows another state of a list. Made while the component is built,
/// where the router is in reach; called from its event handlers.
pub fn list_navigator(history: History) -> impl Fn(String) + Clone + 'static {
    let navigate = use_navigate();
    move |to: String| {
        navigate(
            &to,
            NavigateOptions {
                replace: history == History::Replace,
                scroll: false,
                ..NavigateOptions::default()
            },
        )
    }
}

/// The search box of a list: typing changes the URL, in place, once it
/// pauses and the text is long enough to search by (or cleared); until
/// then it says how long the text must be.
#[component]
pub fn SearchBox(
    label: &'static str,
    placeholder: &'static str,
    /// The search text in the URL: shown at first, and again when Back or
    /// Forward changes it.
    #[prop(into)]
    typed: Signal<String>,
    /// The URL of the list searched for a text (`None`: no search).
    search_href: Callback<Option<String>, String>,
) -> impl IntoView {
    let text = RwSignal::new(typed.get_untracked());
    Effect::new(move |_| text.set(typed.get()));
    let go = list_navigator(History::Replace);
    // The latest keystroke's number: a pause that another key ended sends
    // nothing.
    let keystrokes = StoredValue::new(0u64);
    let too_short = move || {
        let typed = text.get().trim().chars().count();
        typed > 0 && typed < MIN_SEARCH_CHARS
    };
    view! {
        <input type="search" class="search" aria-label=label placeholder=placeholder
            prop:value=text
            on:input=move |event| {
                let typed = event_target_value(&event);
                text.set(typed.clone());
                keystrokes.update_value(|count| *count += 1);
                let length = typed.trim().chars().count();
                if length != 0 && length < MIN_SEARCH_CHARS {
                    return;
                }
                let this_keystroke = keystrokes.get_value();
                let search = Some(typed.trim().to_owned()).filter(|text| !text.is_empty());
                let go = go.clone();
                let send = move || {
                    if keystrokes.try_get_value() == Some(this_keystroke) {
                        go(search_href.run(search));
                    }
                };
                // A browser that cannot set a timer searches at once.
                if set_timeout(send.clone(), SEARCH_DEBOUNCE).is_err() {
                    send();
                }
            }/>
        <Show when=too_short>
            <p class="hint" role="status">
                {format!("Type at least {MIN_SEARCH_CHARS} characters to search.")}
            </p>
        </Show>
    }
}
