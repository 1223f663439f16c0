//! The actions of the order page: submit, resubmit with a note, add a note.

use crate::api::{add_note, submit_order};
use crate::model::{Me, Order};
use crate::pages::action_error;
use leptos::prelude::*;

/// Submits an unprocessed or pending order.
#[component]
pub fn SubmitOrder(order: Order, on_done: Callback<()>) -> impl IntoView {
    let id = order.id;
    let submit = Action::new(move |_: &()| submit_order(id, None));
    Effect::new(move |_| {
        if let Some(Ok(_)) = submit.value().get() {
            on_done.run(());
        }
    });
    view! {
        <div class="action">
            <button type="button" class="button primary" disabled=move || submit.pending().get()
                on:click=move |_| { submit.dispatch(()); }>
                "Submit order"
            </button>
            {action_error(submit)}
        </div>
    }
}

/// Resubmits an order on hold or rejected, with a note explaining the
/// correction.
#[component]
pub fn ResubmitOrder(order: Order, on_done: Callback<()>) -> impl IntoView {
    let id = order.id;
    let note = RwSignal::new(String::new());
    let resubmit = Action::new(move |note: &String| {
        let note = note.clone();
        submit_order(id, (!note.trim().is_empty()).then_some(note))
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = resubmit.value().get() {
            note.set(String::new());
            on_done.run(());
        }
    });
    view! {
        <form class="action resubmit form" on:submit=move |event| {
            event.prevent_default();
            resubmit.dispatch(note.get_untracked());
        }>
            <label for="resubmit-note">"What did you correct?"</label>
            <textarea id="resubmit-note" rows="3" maxlength="10000"
                prop:value=note on:input=move |event| note.set(event_target_value(&event))></textarea>
            <p class="muted">"Upload corrected documents below, explain the correction, then resubmit."</p>
            <button type="submit" class="button primary" disabled=move || resubmit.pending().get()>"Resubmit"</button>
            {action_error(resubmit)}
        </form>
    }
}

/// Adds a note; staff may keep it internal.
#[component]
pub fn NoteForm(order_id: i64, on_done: Callback<()>) -> impl IntoView {
    let me = use_context::<Resource<Result<Me, ServerFnError>>>();
    let body = RwSignal::new(String::new());
    let internal = RwSignal::new(false);
    let add = Action::new(move |(body, internal): &(String, bool)| {
        add_note(order_id, body.clone(), *internal)
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            body.set(String::new());
            internal.set(false);
            on_done.run(());
        }
    });
    view! {
        <form class="form note-form" on:submit=move |event| {
            event.prevent_default();
            add.dispatch((body.get_untracked(), internal.get_untracked()));
        }>
            <label for="note-body">"Add a note"</label>
            <textarea id="note-body" rows="3" maxlength="10000" required
                prop:value=body on:input=move |event| body.set(event_target_value(&event))></textarea>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let staff = match me {
                        Some(me) => me.await.is_ok_and(|me| me.is_staff),
                        None => false,
                    };
                    staff.then(|| view! {
                        <label class="checkbox">
                            <input type="checkbox" prop:checked=internal
                                on:change=move |event| internal.set(event_target_checked(&event))/>
                            " Internal (FTS only)"
                        </label>
                    })
                })}
            </Transition>
            <button type="submit" class="button secondary" disabled=move || add.pending().get()>"Add note"</button>
            {action_error(add)}
        </form>
    }
}
