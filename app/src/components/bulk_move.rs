//! Staff moving several orders of a list at once.

use super::{BatchReport, Picked, describe_batch, document_lines};
use crate::api::transition_orders;
use crate::pages::action_error;
use crate::rules::{self, Status};
use leptos::prelude::*;

/// The orders staff picked to move together.
#[derive(Clone, Copy)]
pub struct StaffSelection(pub RwSignal<Vec<Picked>>);

/// The bar that moves the selected orders to one status.
#[component]
pub fn MoveSelected(selection: StaffSelection, on_batch: Callback<BatchReport>) -> impl IntoView {
    let StaffSelection(chosen) = selection;
    let reason = RwSignal::new(String::new());
    let documents = RwSignal::new(String::new());
    let target = RwSignal::new(None::<Status>);
    // Every status at least one selected order may move to.
    let targets = Memo::new(move |_| {
        chosen.with(|chosen| {
            Status::ALL
                .into_iter()
                .filter(|to| chosen.iter().any(|picked| picked.transitions.contains(to)))
                .collect::<Vec<_>>()
        })
    });
    // What the bar moves to: the status chosen, else the first offered.
    let moving_to = Memo::new(move |_| target.get().or_else(|| targets.get().first().copied()));
    let move_all = Action::new(
        move |(ids, to, reason, documents): &(Vec<i64>, Status, String, Vec<String>)| {
            let reason = reason.clone();
            transition_orders(
                ids.clone(),
                *to,
                (!reason.trim().is_empty()).then_some(reason),
                documents.clone(),
            )
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(result)) = move_all.value().get() {
            let numbers = Picked::numbers(&chosen.get_untracked());
            chosen.set(Vec::new());
            reason.set(String::new());
            documents.set(String::new());
            on_batch.run(describe_batch(&result, &numbers));
        }
    });
    view! {
        <Show when=move || !chosen.with(Vec::is_empty)>
            <form class="form batch-bar" aria-label="Move selected orders" on:submit=move |event| {
                event.prevent_default();
                if let Some(to) = moving_to.get_untracked() {
                    let ids = chosen.get_untracked().iter().map(|picked| picked.id).collect();
                    // Documents are asked for only by the moves that take a reason.
                    let asked_for = if rules::transition_requires_reason(to) {
                        documents.with_untracked(|documents| document_lines(documents))
                    } else {
                        Vec::new()
                    };
                    move_all.dispatch((ids, to, reason.get_untracked(), asked_for));
                }
            }>
                <label for="move-to">"Move selected orders to"</label>
                <select id="move-to" on:change=move |event| target.set(event_target_value(&event).parse().ok())>
                    {move || targets.get().into_iter().map(|to| view! {
                        <option value=to.as_str() selected=move || target.get() == Some(to)>{to.label()}</option>
                    }).collect_view()}
                </select>
                <Show when=move || moving_to.get().is_some_and(rules::transition_requires_reason)>
                    <label for="move-reason">"Reason the customer will read"</label>
                    <textarea id="move-reason" rows="2" maxlength="10000"
                        prop:value=reason on:input=move |event| reason.set(event_target_value(&event))></textarea>
                    <label for="move-documents">"Documents each customer must provide (optional), one per line"</label>
                    <textarea id="move-documents" rows="2" maxlength="4000"
                        prop:value=documents on:input=move |event| documents.set(event_target_value(&event))></textarea>
                </Show>
                <button type="submit" class="button primary" disabled=move || move_all.pending().get()>
                    {move || format!("Move {} selected", chosen.with(Vec::len))}
                </button>
                {action_error(move_all)}
            </form>
        </Show>
    }
}
