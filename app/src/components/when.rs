//! Moments as people read them: "3 days ago", with the exact time on
//! hover, in the viewer's own time zone.
//!
//! The server knows neither the viewer's clock nor their time zone, so it
//! renders the exact time in UTC; the browser renders the same at first
//! (hydration finds what the server sent) and rewrites it once running.

use leptos::prelude::*;

/// A stored RFC 3339 time, relative to now once the page runs.
#[component]
pub fn When(
    /// RFC 3339 (UTC).
    at: String,
) -> impl IntoView {
    let exact_utc = format!("{} UTC", super::short_time(&at));
    let text = RwSignal::new(exact_utc.clone());
    let title = RwSignal::new(exact_utc);
    #[cfg(feature = "hydrate")]
    {
        let at = at.clone();
        Effect::new(move |_| {
            if let Some((relative, exact)) = in_browser::read(&at) {
                text.set(relative);
                title.set(exact);
            }
        });
    }
    view! { <time datetime=at title=move || title.get()>{move || text.get()}</time> }
}

/// How long ago (or, negative, how far ahead) `ms` milliseconds are, in
/// words.
pub fn relative(ms: i64) -> String {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    let span = ms.abs();
    let amount = if span < MINUTE {
        return "just now".to_owned();
    } else if span < HOUR {
        plural(span / MINUTE, "minute")
    } else if span < DAY {
        plural(span / HOUR, "hour")
    } else if span < 2 * DAY {
        return if ms > 0 { "yesterday" } else { "tomorrow" }.to_owned();
    } else if span < 60 * DAY {
        plural(span / DAY, "day")
    } else {
        plural(span / (30 * DAY), "month")
    };
    if ms > 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

#[cfg(feature = "hydrate")]
mod in_browser {
    use js_sys::wasm_bindgen::JsValue;
    use js_sys::{Date, Object, Reflect};

    /// `(relative, exact)` for an RFC 3339 time, by the browser's clock,
    /// language and time zone.
    pub fn read(rfc3339: &str) -> Option<(String, String)> {
        let date = Date::new(&JsValue::from_str(rfc3339));
        let at = date.get_time();
        if at.is_nan() {
            return None;
        }
        let options = Object::new();
        for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
            Reflect::set(&options, &key.into(), &value.into()).ok()?;
        }
        // "default": the browser's own language (any well-formed tag it
        // does not know falls back to it).
        let exact = date.to_locale_string("default", &options).as_string()?;
        Some((super::relative((Date::now() - at) as i64), exact))
    }
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn spans_in_words() {
        let minute = 60_000;
        let day = 24 * 60 * minute;
        assert_eq!(relative(10_000), "just now");
        assert_eq!(relative(-10_000), "just now");
        assert_eq!(relative(5 * minute), "5 minutes ago");
        assert_eq!(relative(61 * minute), "1 hour ago");
        assert_eq!(relative(-3 * 60 * minute), "in 3 hours");
        assert_eq!(relative(day + 1), "yesterday");
        assert_eq!(relative(-day - 1), "tomorrow");
        assert_eq!(relative(3 * day), "3 days ago");
        assert_eq!(relative(90 * day), "3 months ago");
    }
}
