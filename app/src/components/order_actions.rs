//! The actions of the order page: submit, resubmit with a note, add a note.

use super::{WithPermission, document_lines};
use crate::api::{add_note, get_product_documents, submit_order, transition_order};
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
/// correction; waits, disabled, while its checklist lacks documents.
#[component]
pub fn ResubmitOrder(order: Order, on_done: Callback<()>) -> impl IntoView {
    let id = order.id;
    let missing = order.checklist_missing();
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
            {if missing > 0 {
                view! {
                    <p class="muted" id="resubmit-waits" data-testid="resubmit-waits">
                        {format!("Upload the {missing} document{} the checklist still asks for, then resubmit.",
                            if missing == 1 { "" } else { "s" })}
                    </p>
                }.into_any()
            } else {
                view! { <p class="muted">"Upload corrected documents below, explain the correction, then resubmit."</p> }.into_any()
            }}
            <button type="submit" class="button primary" aria-describedby=(missing > 0).then_some("resubmit-waits")
                disabled=move || { missing > 0 || resubmit.pending().get() }>"Resubmit"</button>
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
/// with the reason the customer will read and the documents they must
/// provide. Cancelling has its own dialog.
#[component]
pub fn StaffTransitions(order: Order, on_done: Callback<()>) -> impl IntoView {
    let id = order.id;
    let reason = RwSignal::new(String::new());
    hold_while_writing(reason);
    let picked = RwSignal::new(Vec::<String>::new());
    let others = RwSignal::new(String::new());
    hold_while_writing(others);
    let asked_for = move || {
        let mut documents = picked.get_untracked();
        documents.extend(others.with_untracked(|others| document_lines(others)));
        documents
    };
    let transition = Action::new(
        move |(to, reason, documents): &(Status, String, Vec<String>)| {
            let reason = reason.clone();
            transition_order(
                id,
                *to,
                (!reason.trim().is_empty()).then_some(reason),
                documents.clone(),
            )
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = transition.value().get() {
            reason.set(String::new());
            picked.set(Vec::new());
            others.set(String::new());
            on_done.run(());
        }
    });
    let product = order.product.clone();
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
                        on:click=move |_| { transition.dispatch((to, String::new(), Vec::new())); }>
                        {format!("Mark {}", to.label())}
                    </button>
                }).collect_view()}
            </div>
            {(!with_reason.is_empty()).then(|| view! {
                <div class="form">
                    <label for="transition-reason">"Reason the customer will read"</label>
                    <textarea id="transition-reason" rows="2" maxlength="10000"
                        prop:value=reason on:input=move |event| reason.set(event_target_value(&event))></textarea>
                    <fieldset class="ask-documents" data-testid="ask-documents">
                        <legend>"Documents the customer must provide (optional)"</legend>
                        <SuggestedDocuments product picked/>
                        <label for="transition-documents">"Other documents, one per line"</label>
                        <textarea id="transition-documents" rows="2" maxlength="4000"
                            prop:value=others on:input=move |event| others.set(event_target_value(&event))></textarea>
                    </fieldset>
                    <div class="actions-row">
                        {with_reason.into_iter().map(|to| view! {
                            <button type="button" class="button secondary" disabled=move || transition.pending().get()
                                on:click=move |_| { transition.dispatch((to, reason.get_untracked(), asked_for())); }>
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

/// The documents administrators list for the order's product, to tick.
#[component]
fn SuggestedDocuments(product: String, picked: RwSignal<Vec<String>>) -> impl IntoView {
    let products = Resource::new(|| (), |_| get_product_documents());
    view! {
        <Transition fallback=|| ()>
            {move || {
                let product = product.clone();
                Suspend::new(async move {
                    let documents = products
                        .await
                        .ok()
                        .and_then(|products| products.into_iter().find(|listed| listed.product.name == product))
                        .map(|listed| listed.documents)
                        .unwrap_or_default();
                    documents.into_iter().map(|document| {
                        let name = document.clone();
                        let toggled = document.clone();
                        view! {
                            <label class="checkbox">
                                <input type="checkbox"
                                    prop:checked=move || picked.with(|picked| picked.contains(&name))
                                    on:change=move |event| {
                                        let on = event_target_checked(&event);
                                        picked.update(|picked| {
                                            picked.retain(|chosen| *chosen != toggled);
                                            if on {
                                                picked.push(toggled.clone());
                                            }
                                        });
                                    }/>
                                " " {document}
                            </label>
                        }
                    }).collect_view()
                })
            }}
        </Transition>
    }
}
