//! Companies offered by name while a user who sees every company types one:
//! there are thousands, too many for a select.

use crate::api::find_companies;
use crate::model::{MIN_SEARCH_CHARS, NamedRef};
use leptos::prelude::*;

/// Up to ten companies whose name holds what was typed, from the third
/// character on.
pub fn company_choices(typed: RwSignal<String>) -> Resource<Vec<NamedRef>> {
    Resource::new(
        move || typed.get().trim().to_owned(),
        |text| async move {
            if text.chars().count() < MIN_SEARCH_CHARS {
                return Vec::new();
            }
            find_companies(text).await.unwrap_or_default()
        },
    )
}

/// The company among `choices` named `name`, in any case.
pub fn named(choices: &[NamedRef], name: &str) -> Option<i64> {
    let name = name.trim().to_lowercase();
    choices
        .iter()
        .find(|company| company.name.to_lowercase() == name)
        .map(|company| company.id)
}

/// The names of `choices` as the `<datalist>` an input names in `list`.
#[component]
pub fn CompanyDatalist(id: &'static str, choices: Resource<Vec<NamedRef>>) -> impl IntoView {
    view! {
        <datalist id=id>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    choices.await.into_iter().map(|company| view! {
                        <option value=company.name></option>
                    }).collect_view()
                })}
            </Transition>
        </datalist>
    }
}
