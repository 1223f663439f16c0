//! The actions of the order page: submit, resubmit with a note, add a note.

use super::WithPermission;
use crate::api::{add_note, submit_order, transition_order};
use crate::live::hold_while_writing;
use crate::model::Order;
use crate::pages::action_error;
use crate::rules::{self, Permission, Status};
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
    hold_while_writing(note);
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
    let body = RwSignal::new(String::new());
    hold_while_writing(body);
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
            <WithPermission permission=Permission::OrdersInternalNotes>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=internal
                        on:change=move |event| internal.set(event_target_checked(&event))/>
                    " Internal (FTS only)"
                </label>
            </WithPermission>
            <button type="submit" class="button secondary" disabled=move || add.pending().get()>"Add note"</button>
            {action_error(add)}
        </form>
    }
}

/// FTS staff's moves of an order: plain moves as buttons, hold and reject
/// with the reason the customer will read. Cancelling has its own dialog.
#[component]
pub fn StaffTransitions(order: Order, on_done: Callback<()>) -> impl IntoView {
    let id = order.id;
    let reason = RwSignal::new(String::new());
    hold_while_writing(reason);
    let transition = Action::new(move |(to, reason): &(Status, String)| {
        let reason = reason.clone();
        transition_order(id, *to, (!reason.trim().is_empty()).then_some(reason))
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = transition.value().get() {
            reason.set(String::new());
            on_done.run(());
        }
    });
    let (with_reason, plain): (Vec<Status>, Vec<Status>) = order
        .allowed_transitions
        .iter()
        .copied()
        .filter(|to| *to != Status::Cancelled)
        .partition(|to| rules::transition_requires_reason(*to));
    view! {
        <div class="staff-transitions" data-testid="staff-transitions">
            <div class="actions-row">
                {plain.into_iter().map(|to| view! {
                    <button type="button" class="button primary" disabled=move || transition.pending().get()
                        on:click=move |_| { transition.dispatch((to, String::new())); }>
                        {format!("Mark {}", to.label())}
                    </button>
                }).collect_view()}
            </div>
            {(!with_reason.is_empty()).then(|| view! {
                <div class="form">
                    <label for="transition-reason">"Reason the customer will read"</label>
                    <textarea id="transition-reason" rows="2" maxlength="10000"
                        prop:value=reason on:input=move |event| reason.set(event_target_value(&event))></textarea>
                    <div class="actions-row">
                        {with_reason.into_iter().map(|to| view! {
                            <button type="button" class="button secondary" disabled=move || transition.pending().get()
                                on:click=move |_| { transition.dispatch((to, reason.get_untracked())); }>
                                {if to == Status::OnHold { "Put on hold" } else { "Reject" }}
                            </button>
                        }).collect_view()}
                    </div>
                </div>
            })}
            {action_error(transition)}
        </div>
    }
}
