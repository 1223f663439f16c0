//! An accessible confirmation dialog on the native `<dialog>` element:
//! opened modally it traps focus, makes the page behind it inert, and
//! Escape dismisses it.

use crate::live::use_live_updates;
use crate::rules::Status;
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

#[component]
pub fn ConfirmDialog(
    /// Whether the dialog is shown; the dialog clears it when dismissed.
    open: RwSignal<bool>,
    /// A page-unique id for the heading the dialog is labelled by.
    #[prop(into)]
    id: String,
    #[prop(into)] title: String,
    #[prop(into)] confirm_label: String,
    #[prop(into)] dismiss_label: String,
    /// Runs when the user confirms.
    on_confirm: Callback<()>,
    /// True while the confirmed action runs.
    #[prop(into)]
    busy: Signal<bool>,
    /// The orders the dialog acts on, with the status each had when it was
    /// drawn: should one change while the dialog is open, it says so and
    /// will not confirm.
    #[prop(optional)]
    orders: Vec<(i64, Status)>,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let live = use_live_updates();
    // What changed under the open dialog.
    let changed = RwSignal::new(None::<String>);
    if let Some(live) = live {
        // The page behind stays as it is while the dialog is open.
        live.hold_while(move || open.get());
        Effect::new(move |_| {
            let Some(change) = live.last_change.get() else {
                return;
            };
            let drawn = orders
                .iter()
                .find(|(id, _)| *id == change.order_id)
                .map(|(_, status)| *status);
            if open.get_untracked() && drawn.is_some_and(|status| status != change.status) {
                changed.set(Some(format!(
                    "{} changed while this was open: it is now {}. Close this and look again.",
                    change.number,
                    change.status.label()
                )));
            }
        });
    }
    Effect::new(move |_| {
        if !open.get() {
            changed.set(None);
        }
    });
    let blocked = move || busy.get() || changed.with(Option::is_some);
    Effect::new(move |_| {
        let Some(element) = dialog.get() else { return };
        if open.get() {
            if !element.open() {
                let _ = element.show_modal();
            }
        } else if element.open() {
            element.close();
        }
    });
    // The browser keeps focus inside a modal dialog only until Tab leaves
    // its last control; wrap around so keyboard users stay in the dialog.
    let trap_focus = move |event: leptos::ev::KeyboardEvent| {
        if event.key() != "Tab" {
            return;
        }
        let Some(element) = dialog.get() else { return };
        let Ok(controls) =
            element.query_selector_all("button:not([disabled]), textarea, input, select, a[href]")
        else {
            return;
        };
        let (Some(first), Some(last)) = (
            controls.item(0),
            controls.item(controls.length().saturating_sub(1)),
        ) else {
            return;
        };
        let active = element
            .owner_document()
            .and_then(|document| document.active_element());
        let at = |node: &web_sys::Node| {
            active
                .as_ref()
                .is_some_and(|active| active.is_same_node(Some(node)))
        };
        let target = if event.shift_key() && at(&first) {
            Some(last)
        } else if !event.shift_key() && at(&last) {
            Some(first)
        } else {
            None
        };
        if let Some(target) = target.and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok()) {
            event.prevent_default();
            let _ = target.focus();
        }
    };
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby=labelled_by
            on:close=move |_| open.set(false) on:keydown=trap_focus>
            <h2 id=heading>{title}</h2>
            {children()}
            {move || changed.get().map(|message| view! {
                <p class="error" role="alert" data-testid="changed-meanwhile">{message}</p>
            })}
            <div class="dialog-actions">
                <button type="button" class="button secondary" autofocus on:click=move |_| open.set(false)>
                    {dismiss_label}
                </button>
                <button type="button" class="button danger" disabled=blocked
                    on:click=move |_| on_confirm.run(())>
                    {move || if busy.get() { "Working…".to_owned() } else { confirm_label.clone() }}
                </button>
            </div>
        </dialog>
    }
}
