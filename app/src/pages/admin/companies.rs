//! `/admin/companies` (also `/admin`) and `/admin/companies/{id}`.

use super::rows::{CompanyRow, NewCompanyForm, NewUserCompany, NewUserForm};
use super::users::{UsersData, UsersList};
use super::{
    AdminSection, FlagFilter, ListTable, SearchBox, SortSelect, Sorts, error_view, flag_param,
    href, page_links, search_param, sort_param, sort_slug,
};
use crate::api::{admin_companies, admin_company};
use crate::api_error::ApiError;
use crate::model::{CompanyInfo, CompanyOverview, CompanyQuery, CompanySort, ListPage};
use crate::pages::HiddenPage;
use crate::rules::View;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

const COMPANY_HEADINGS: [&str; 4] = ["Company", "Name", "Account billing", "Customers may cancel"];

const SORTS: Sorts<CompanySort> = &[
    (CompanySort::Name, "name", "Name"),
    (CompanySort::Newest, "newest", "Newest first"),
];

fn company_query(params: &ParamsMap) -> CompanyQuery {
    CompanyQuery {
        q: search_param(params),
        has_account: flag_param(params, "has_account"),
        enable_cancel_order: flag_param(params, "enable_cancel_order"),
        sort: sort_param(params, SORTS),
        cursor: params.get("cursor"),
        limit: None,
    }
}

fn companies_href(query: &CompanyQuery) -> String {
    href(
        "/admin/companies",
        vec![
            ("q", query.q.clone()),
            (
                "has_account",
                query.has_account.map(|flag| flag.to_string()),
            ),
            (
                "enable_cancel_order",
                query.enable_cancel_order.map(|flag| flag.to_string()),
            ),
            ("sort", sort_slug(SORTS, query.sort)),
            ("cursor", query.cursor.clone()),
        ],
    )
}

/// Every company, searched by name, filtered by its flags, 25 to a page.
/// The page is fetched here, outside the permission check, which would
/// fetch it again each time it renders.
#[component]
pub fn AdminCompaniesPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(company_query));
    let version = RwSignal::new(0u32);
    let page = Resource::new(
        move || (query.get(), version.get()),
        |(query, _)| admin_companies(query),
    );
    view! {
        <Title text="Companies · Administration"/>
        <AdminSection><CompaniesList query version page/></AdminSection>
    }
}

#[component]
fn CompaniesList(
    query: Memo<CompanyQuery>,
    version: RwSignal<u32>,
    page: Resource<Result<ListPage<CompanyInfo>, ApiError>>,
) -> impl IntoView {
    let params = use_query_map();
    let changed = Callback::new(move |_| version.update(|version| *version += 1));
    // A change of search, filter or sort starts again at the first page.
    let first_page_with = move |change: &dyn Fn(&mut CompanyQuery)| {
        let mut query = query.get_untracked();
        query.cursor = None;
        change(&mut query);
        companies_href(&query)
    };
    let shown = query.get_untracked();
    view! {
        <section class="panel" aria-labelledby="companies-heading">
            <h2 id="companies-heading">"Companies"</h2>
            <div class="list-controls">
                <SearchBox label="Search companies by name" placeholder="Search by name"
                    typed=Signal::derive(move || params.with(|params| params.get("q").unwrap_or_default()))
                    search_href=Callback::new(move |text: Option<String>| first_page_with(&|query| query.q = text.clone()))/>
                <FlagFilter label="Account billing" yes="On" no="Off" value=shown.has_account
                    filtered_href=Callback::new(move |flag| first_page_with(&|query| query.has_account = flag))/>
                <FlagFilter label="Customers may cancel" yes="Yes" no="No" value=shown.enable_cancel_order
                    filtered_href=Callback::new(move |flag| first_page_with(&|query| query.enable_cancel_order = flag))/>
                <SortSelect sorts=SORTS value=shown.sort
                    sorted_href=Callback::new(move |sort| first_page_with(&|query| query.sort = sort))/>
            </div>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => {
                            let query = query.get_untracked();
                            let (first, next) = page_links(query.cursor.is_some(), page.next_cursor, |cursor| {
                                companies_href(&CompanyQuery { cursor, ..query.clone() })
                            });
                            view! {
                                <ListTable headings=&COMPANY_HEADINGS empty=page.items.is_empty()
                                    empty_text="No companies match." first next>
                                    {page.items.into_iter().map(|company| view! { <CompanyRow company changed/> }).collect_view()}
                                </ListTable>
                            }.into_any()
                        }
                        Err(error) => error_view(&error),
                    }
                })}
            </Transition>
            <NewCompanyForm changed/>
        </section>
    }
}

/// One company: its flags, its orders per view, its users and a form for a
/// new one.
#[component]
pub fn AdminCompanyPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|params| params.get("id").and_then(|id| id.parse::<i64>().ok()))
    });
    let version = RwSignal::new(0u32);
    let overview = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => admin_company(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let changed = Callback::new(move |_| version.update(|version| *version += 1));
    let users = UsersData::new(Signal::derive(move || id.get()));
    view! {
        <AdminSection>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(Some(overview)) => view! { <CompanyPanel overview changed/> }.into_any(),
                        Ok(None) => view! { <HiddenPage/> }.into_any(),
                        Err(error) => error_view(&error),
                    }
                })}
            </Transition>
            {move || id.get().map(|company| view! {
                <section class="panel" aria-labelledby="company-users-heading">
                    <h2 id="company-users-heading">"Users of this company"</h2>
                    <UsersList base=format!("/admin/companies/{company}") list=users/>
                    <NewUserForm company=NewUserCompany::Fixed(company) changed=users.changed()/>
                </section>
            })}
        </AdminSection>
    }
}

#[component]
fn CompanyPanel(overview: CompanyOverview, changed: Callback<()>) -> impl IntoView {
    let CompanyOverview {
        company,
        user_count,
        order_counts,
    } = overview;
    let name = company.name.clone();
    view! {
        <Title text=format!("{name} · Administration")/>
        <section class="panel" aria-labelledby="company-heading">
            <h2 id="company-heading">{name}</h2>
            <ListTable headings=&COMPANY_HEADINGS empty=false empty_text="" first=None next=None>
                <CompanyRow company changed/>
            </ListTable>
            <dl class="company-facts">
                <dt>"Users"</dt><dd data-testid="user-count">{user_count}</dd>
                {View::ALL.into_iter().map(|view| view! {
                    <dt>{view.label()}</dt>
                    <dd data-testid=format!("orders-{}", view.slug())>{order_counts.get(view)}</dd>
                }).collect_view()}
            </dl>
        </section>
    }
}
