//! `/admin/users`, and the users list of a company's page.

use super::rows::{NewUserCompany, NewUserForm, UserRow};
use super::{
    AdminSection, FlagFilter, ListTable, SearchBox, SortSelect, Sorts, error_view, flag_param,
    href, list_navigator, page_links, search_param, sort_param, sort_slug,
};
use crate::api::admin_users;
use crate::api_error::ApiError;
use crate::model::{AdminUser, ListPage, UserQuery, UserSort};
use crate::rules::Group;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

const SORTS: Sorts<UserSort> = &[
    (UserSort::Email, "email", "E-mail"),
    (UserSort::Name, "name", "Name"),
    (UserSort::Newest, "newest", "Newest first"),
];

fn user_query(params: &ParamsMap, company: Option<i64>) -> UserQuery {
    UserQuery {
        q: search_param(params),
        group: params.get_str("group").and_then(|group| group.parse().ok()),
        company_id: company.or_else(|| params.get_str("company_id")?.parse().ok()),
        disabled: flag_param(params, "disabled"),
        sort: sort_param(params, SORTS),
        cursor: params.get("cursor"),
        limit: None,
    }
}

/// The URL of a users list at `base`; a company's page names its company in
/// the path, not the query.
fn users_href(base: &str, query: &UserQuery, company_in_path: bool) -> String {
    href(
        base,
        vec![
            ("q", query.q.clone()),
            ("group", query.group.map(|group| group.as_str().to_owned())),
            (
                "company_id",
                query
                    .company_id
                    .filter(|_| !company_in_path)
                    .map(|id| id.to_string()),
            ),
            ("disabled", query.disabled.map(|flag| flag.to_string())),
            ("sort", sort_slug(SORTS, query.sort)),
            ("cursor", query.cursor.clone()),
        ],
    )
}

/// Every user, searched by name or e-mail address, filtered by group,
/// company and access, 25 to a page.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let list = UsersData::new(Signal::stored(None));
    view! {
        <Title text="Users · Administration"/>
        <AdminSection>
            <section class="panel" aria-labelledby="users-heading">
                <h2 id="users-heading">"Users"</h2>
                <UsersList base="/admin/users".to_owned() list/>
                <NewUserForm company=NewUserCompany::ByName changed=list.changed()/>
            </section>
        </AdminSection>
    }
}

/// What a users list shows: its query, from the URL (and `company`, which
/// fixes the company on a company's page), and that page of users, fetched again when `version` moves.
/// Made where the page starts: made inside the permission check, the page
/// would be fetched again each time the check renders.
#[derive(Clone, Copy)]
pub struct UsersData {
    company: Signal<Option<i64>>,
    query: Memo<UserQuery>,
    version: RwSignal<u32>,
    page: Resource<Result<ListPage<AdminUser>, ApiError>>,
}

impl UsersData {
    pub fn new(company: Signal<Option<i64>>) -> UsersData {
        let params = use_query_map();
        let query = Memo::new(move |_| params.with(|params| user_query(params, company.get())));
        let version = RwSignal::new(0u32);
        let page = Resource::new(
            move || (query.get(), version.get()),
            |(query, _)| admin_users(query),
        );
        UsersData {
            company,
            query,
            version,
            page,
        }
    }

    /// Tells the list to fetch its page again.
    pub fn changed(self) -> Callback<()> {
        Callback::new(move |_| self.version.update(|version| *version += 1))
    }
}

/// A users list whose search, filters, sort and page are in the URL of
/// `base`.
#[component]
pub fn UsersList(base: String, list: UsersData) -> impl IntoView {
    let params = use_query_map();
    let UsersData {
        company,
        query,
        page,
        ..
    } = list;
    let changed = list.changed();
    let company_in_path = company.get_untracked().is_some();
    let base = StoredValue::new(base);
    // A change of search, filter or sort starts again at the first page.
    let first_page_with = move |change: &dyn Fn(&mut UserQuery)| {
        let mut query = query.get_untracked();
        query.cursor = None;
        change(&mut query);
        users_href(&base.get_value(), &query, company_in_path)
    };
    let shown = query.get_untracked();
    let go = list_navigator();
    view! {
        <div class="list-controls">
            <SearchBox label="Search users by name or e-mail" placeholder="Search by name or e-mail"
                typed=Signal::derive(move || params.with(|params| params.get("q").unwrap_or_default()))
                search_href=Callback::new(move |text: Option<String>| first_page_with(&|query| query.q = text.clone()))/>
            <label class="sort">
                "Group "
                <select on:change=move |event| {
                    let group = event_target_value(&event).parse::<Group>().ok();
                    go(first_page_with(&|query| query.group = group));
                }>
                    <option value="" selected=shown.group.is_none()>"Any"</option>
                    {Group::ALL.into_iter().map(|group| view! {
                        <option value=group.as_str() selected=shown.group == Some(group)>{group.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <FlagFilter label="Access" yes="Disabled" no="Active" value=shown.disabled
                filtered_href=Callback::new(move |flag| first_page_with(&|query| query.disabled = flag))/>
            <SortSelect sorts=SORTS value=shown.sort
                sorted_href=Callback::new(move |sort| first_page_with(&|query| query.sort = sort))/>
            {(!company_in_path && shown.company_id.is_some()).then(|| view! {
                <A href=first_page_with(&|query| query.company_id = None)>"Users of every company"</A>
            })}
        </div>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let query = query.get_untracked();
                        let (first, next) = page_links(query.cursor.is_some(), page.next_cursor, |cursor| {
                            users_href(&base.get_value(), &UserQuery { cursor, ..query.clone() }, company_in_path)
                        });
                        view! {
                            <ListTable headings=&["User", "Company", "Group", "Access"] empty=page.items.is_empty()
                                empty_text="No users match." first next>
                                {page.items.into_iter().map(|user| view! { <UserRow user changed/> }).collect_view()}
                            </ListTable>
                        }.into_any()
                    }
                    Err(error) => error_view(&error),
                }
            })}
        </Transition>
    }
}
