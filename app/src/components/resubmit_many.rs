//! Resubmitting several orders at once, with one note.

use super::{BatchReport, Picked, describe_batch};
use crate::api::resubmit_orders;
use crate::pages::action_error;
use leptos::prelude::*;

/// The orders picked for a batch resubmission.
#[derive(Clone, Copy)]
pub struct Selection(pub RwSignal<Vec<Picked>>);

/// The bar that resubmits the selected orders with one note.
#[component]
pub fn ResubmitSelected(selection: Selection, on_batch: Callback<BatchReport>) -> impl IntoView {
    let Selection(chosen) = selection;
    let note = RwSignal::new(String::new());
    let resubmit = Action::new(move |(ids, note): &(Vec<i64>, String)| {
        let note = note.clone();
        resubmit_orders(ids.clone(), (!note.trim().is_empty()).then_some(note))
    });
    Effect::new(move |_| {
        if let Some(Ok(result)) = resubmit.value().get() {
            let report = describe_batch(&result, &Picked::numbers(&chosen.get_untracked()));
            chosen.set(Vec::new());
            note.set(String::new());
            on_batch.run(report);
        }
    });
    view! {
        <Show when=move || !chosen.with(Vec::is_empty)>
            <form class="form batch-bar" aria-label="Resubmit selected orders" on:submit=move |event| {
                event.prevent_default();
                let ids = chosen.get_untracked().iter().map(|picked| picked.id).collect();
                resubmit.dispatch((ids, note.get_untracked()));
            }>
                <label for="batch-note">"What did you correct? (one note for all selected orders)"</label>
                <textarea id="batch-note" rows="2" maxlength="10000"
                    prop:value=note on:input=move |event| note.set(event_target_value(&event))></textarea>
                <button type="submit" class="button primary" disabled=move || resubmit.pending().get()>
                    {move || format!("Resubmit {} selected", chosen.with(Vec::len))}
                </button>
                {action_error(resubmit)}
            </form>
        </Show>
    }
}
