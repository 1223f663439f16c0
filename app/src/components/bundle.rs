//! Downloading the reports and documents of several received or complete
//! orders as one zip (`GET /ordering/api/orders/reports.zip`).

use super::Picked;
use leptos::prelude::*;

/// The orders picked for a report bundle (on the Completed view).
#[derive(Clone, Copy)]
pub struct BundleSelection(pub RwSignal<Vec<Picked>>);

/// The bar that downloads the selected orders' files as one zip.
#[component]
pub fn DownloadSelected(selection: BundleSelection) -> impl IntoView {
    let BundleSelection(chosen) = selection;
    let href = move || {
        let ids: Vec<String> =
            chosen.with(|chosen| chosen.iter().map(|picked| picked.id.to_string()).collect());
        format!("/ordering/api/orders/reports.zip?ids={}", ids.join(","))
    };
    view! {
        <Show when=move || !chosen.with(Vec::is_empty)>
            <div class="batch-bar actions-row" role="region" aria-label="Download the selected orders' files">
                <a class="button primary" download="reports.zip" href=href data-testid="download-bundle">
                    {move || format!("Download the files of {} selected (.zip)", chosen.with(Vec::len))}
                </a>
                <button type="button" class="button secondary" on:click=move |_| chosen.set(Vec::new())>
                    "Clear selection"
                </button>
            </div>
        </Show>
    }
}
