//! Administration for FTS administrators: companies and users, each a
//! searchable, filterable, sorted and paged list whose state is in the URL,
//! and a page per company. For anyone else the pages do not exist.

mod companies;
mod products;
mod rows;
mod users;

pub use companies::{AdminCompaniesPage, AdminCompanyPage};
pub use products::AdminProductsPage;
pub use users::AdminUsersPage;

use super::HiddenPage;
use crate::api_error::ApiError;
use crate::components::WithPermission;
use crate::components::list_url::History;
use crate::model::MIN_SEARCH_CHARS;
use crate::rules::Permission;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::params::ParamsMap;

/// The frame of every administration page: its tabs, then the page.
#[component]
fn AdminSection(children: ChildrenFn) -> impl IntoView {
    view! {
        <WithPermission permission=Permission::AdminCompanies fallback=HiddenPage>
            <section class="admin">
                <header class="page-header"><h1>"Administration"</h1></header>
                <nav class="tabs" aria-label="Administration">
                    <A href="/admin/companies">"Companies"</A>
                    <A href="/admin/users">"Users"</A>
                    <A href="/admin/products">"Products"</A>
                </nav>
                {children()}
            </section>
        </WithPermission>
    }
}

fn error_view(error: &ApiError) -> AnyView {
    view! { <p class="error" role="alert">{error.message.clone()}</p> }.into_any()
}

/// A yes/no filter of the URL: `true`, `false`, or anything else for both.
fn flag_param(params: &ParamsMap, key: &str) -> Option<bool> {
    match params.get_str(key) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

/// The search text of the URL, once long enough to search by.
fn search_param(params: &ParamsMap) -> Option<String> {
    params
        .get("q")
        .map(|text| text.trim().to_owned())
        .filter(|text| text.chars().count() >= MIN_SEARCH_CHARS)
}

pub(super) use crate::components::list_url::{SearchBox, href};

/// Admin lists change in place: Back leaves the list.
fn list_navigator() -> impl Fn(String) + Clone + 'static {
    crate::components::list_url::list_navigator(History::Replace)
}

/// The orders a list may be sorted in: each with its slug in the URL and
/// its label; the first is the default.
type Sorts<S> = &'static [(S, &'static str, &'static str)];

/// The sort the URL names, or the default.
fn sort_param<S: Copy + Default + PartialEq>(params: &ParamsMap, sorts: Sorts<S>) -> S {
    sorts
        .iter()
        .find(|(_, slug, _)| params.get_str("sort") == Some(slug))
        .map(|(sort, _, _)| *sort)
        .unwrap_or_default()
}

/// The URL's `sort` for `sort`: none for the default.
fn sort_slug<S: Copy + Default + PartialEq>(sorts: Sorts<S>, sort: S) -> Option<String> {
    sorts
        .iter()
        .find(|(listed, _, _)| *listed == sort && sort != S::default())
        .map(|(_, slug, _)| (*slug).to_owned())
}

/// The sort of a list as a select.
#[component]
fn SortSelect<S: Copy + PartialEq + Send + Sync + 'static>(
    sorts: Sorts<S>,
    value: S,
    /// The URL of the list sorted another way.
    sorted_href: Callback<S, String>,
) -> impl IntoView {
    let go = list_navigator();
    view! {
        <label class="sort">
            "Sort "
            <select on:change=move |event| {
                let chosen = event_target_value(&event);
                if let Some((sort, _, _)) = sorts.iter().find(|(_, slug, _)| *slug == chosen) {
                    go(sorted_href.run(*sort));
                }
            }>
                {sorts.iter().map(|(sort, slug, label)| view! {
                    <option value=*slug selected=*sort == value>{*label}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// A yes/no/any filter as a select.
#[component]
fn FlagFilter(
    label: &'static str,
    yes: &'static str,
    no: &'static str,
    value: Option<bool>,
    /// The URL of the list with this filter set to a value.
    filtered_href: Callback<Option<bool>, String>,
) -> impl IntoView {
    let go = list_navigator();
    view! {
        <label class="sort">
            {label} " "
            <select on:change=move |event| {
                let chosen = match event_target_value(&event).as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                };
                go(filtered_href.run(chosen));
            }>
                <option value="" selected=value.is_none()>"Any"</option>
                <option value="true" selected=value == Some(true)>{yes}</option>
                <option value="false" selected=value == Some(false)>{no}</option>
            </select>
        </label>
    }
}

/// The links of a page: to the first page (on a later page) and to the
/// next one (when there is one); `href_at` is the list's URL at a cursor.
fn page_links(
    later_page: bool,
    next_cursor: Option<String>,
    href_at: impl Fn(Option<String>) -> String,
) -> (Option<String>, Option<String>) {
    (
        later_page.then(|| href_at(None)),
        next_cursor.map(|cursor| href_at(Some(cursor))),
    )
}

/// A table of rows under `headings`, a line saying so when there are none,
/// and links to the first and the next page.
#[component]
fn ListTable(
    headings: &'static [&'static str],
    empty: bool,
    empty_text: &'static str,
    first: Option<String>,
    next: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="table">
                <thead><tr>
                    {headings.iter().map(|heading| view! { <th scope="col">{*heading}</th> }).collect_view()}
                </tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
        {empty.then(|| view! { <p class="empty">{empty_text}</p> })}
        {(first.is_some() || next.is_some()).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {first.map(|first| view! { <A href=first>"First page"</A> })}
                {next.map(|next| view! { <A href=next>"Next page"</A> })}
            </nav>
        })}
    }
}
