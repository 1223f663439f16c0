use crate::api::{get_filter_options, list_orders, set_list_layout};
use crate::api_error::ApiError;
use crate::components::bulk_move::{MoveSelected, StaffSelection};
use crate::components::bundle::{BundleSelection, DownloadSelected};
use crate::components::cancel::GroupCard;
use crate::components::company_choices::{CompanyDatalist, company_choices, named as find_named};
use crate::components::list_url::{History, SearchBox, list_navigator};
use crate::components::order_table::OrderTable;
use crate::components::resubmit_many::{ResubmitSelected, Selection};
use crate::components::{BatchReport, LayoutChoice, OrderCard, WithPermission, badge_refresher};
use crate::live::{redraw_if_changed, use_live_updates};
use crate::model::{ListLayout, MIN_SEARCH_CHARS, Me, Order, OrderPage, OrderQuery, Sort};
use crate::rules::{Permission, Status, View};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

/// One view of the sidebar: its orders, searchable as you type, sorted by
/// date, grouped as they were placed, with more loaded on demand.
#[component]
pub fn OrdersPage(view: View) -> impl IntoView {
    // Everything the list is filtered and sorted by is in the URL, which
    // the server renders from as the browser does; the search text is
    // trimmed when sent.
    let params = use_query_map();
    let filters = Memo::new(move |_| params.with(|params| order_query(view, params)));
    // The URL's layout, else the one just chosen, else the user's own.
    let layout_param = Memo::new(move |_| {
        params.with(|params| params.get_str("layout").and_then(ListLayout::parse))
    });
    let chosen = use_context::<LayoutChoice>().map(|LayoutChoice(chosen)| chosen);
    let me = use_context::<Resource<Result<Me, ApiError>>>();
    let push = list_navigator(History::Push);
    let apply = {
        let push = push.clone();
        Callback::new(move |query: OrderQuery| {
            push(page_href(view, &query, layout_param.get_untracked()))
        })
    };
    let sort = Signal::derive(move || filters.with(|query| query.sort));
    let save_layout = Action::new(|layout: &ListLayout| set_list_layout(*layout));
    let choose_layout = Callback::new(move |layout: ListLayout| {
        if let Some(chosen) = chosen {
            chosen.set(Some(layout));
        }
        save_layout.dispatch(layout);
        push(page_href(view, &filters.get_untracked(), Some(layout)));
    });
    // Bumped after every change, to fetch the list again.
    let version = RwSignal::new(0u32);
    let query = move |cursor: Option<String>| {
        let mut query = filters.get();
        // Until the search is long enough to search by, the list stays
        // unfiltered (the hint below says why).
        query.q = query
            .q
            .map(|text| text.trim().to_owned())
            .filter(|text| text.chars().count() >= MIN_SEARCH_CHARS);
        query.cursor = cursor;
        query
    };
    let first_page = Resource::new(
        move || (query(None), version.get()),
        |(query, _)| list_orders(query),
    );
    // Pages after the first, and where the next one starts.
    let more = RwSignal::new(Vec::<Order>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let results = RwSignal::new(None::<BatchReport>);
    let selection = Selection(RwSignal::new(Vec::new()));
    provide_context(selection);
    let staff_selection = StaffSelection(RwSignal::new(Vec::new()));
    provide_context(staff_selection);
    // The Completed view's orders can be downloaded together.
    let bundle_selection = BundleSelection(RwSignal::new(Vec::new()));
    if view == View::Completed {
        provide_context(bundle_selection);
    }
    let refresh_badges = badge_refresher();
    let refresh = Callback::new(move |_| {
        version.update(|version| *version += 1);
        refresh_badges();
    });
    let on_batch = Callback::new(move |report: BatchReport| {
        results.set(Some(report));
        refresh.run(());
    });
    // Orders changed: a list of one page is fetched again; a longer one,
    // which the reader has scrolled through, offers to.
    let outdated = RwSignal::new(false);
    if let Some(live) = use_live_updates() {
        Effect::new(move |_| {
            if live.batches.with(|batch| batch.generation == 0) {
                return;
            }
            if !more.with_untracked(Vec::is_empty) {
                outdated.set(true);
                return;
            }
            redraw_if_changed(first_page, list_orders(untrack(|| query(None))), version);
        });
    }
    let load_more = Action::new(move |cursor: &String| list_orders(query(Some(cursor.clone()))));
    Effect::new(move |_| {
        if let Some(Ok(page)) = load_more.value().get() {
            let OrderPage {
                orders,
                next_cursor: next,
            } = page;
            more.update(|more| more.extend(orders));
            next_cursor.set(next);
        }
    });

    view! {
        <Title text=view.label()/>
        <section class="orders" data-view=view.slug()>
            <header class="page-header">
                <h1>{view.label()}</h1>
                <div class="list-controls">
                    <SearchBox label="Search orders by number or title" placeholder="Search by number or title"
                        typed=Signal::derive(move || filters.with(|query| query.q.clone().unwrap_or_default()))
                        search_href=Callback::new(move |text: Option<String>| {
                            page_href(view, &OrderQuery { q: text, ..filters.get_untracked() }, layout_param.get_untracked())
                        })/>
                    <label class="sort">
                        "Sort "
                        <select on:change=move |event| apply.run(OrderQuery {
                            sort: parse_sort(&event_target_value(&event)),
                            ..filters.get_untracked()
                        })>
                            {Sort::ALL.into_iter().map(|option| view! {
                                <option value=option.as_str() selected=move || sort.get() == option>{option.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <a class="button secondary export" download
                        href=move || format!("/ordering/api/orders/export.csv?{}", query(None).list_query_string())>
                        "Export CSV"
                    </a>
                </div>
                <WithPermission permission=Permission::OrdersViewAll>
                    <QueueFilters view filters apply/>
                </WithPermission>
            </header>
            <Show when=move || outdated.get()>
                <div class="callout" role="status" data-testid="list-outdated">
                    <p>"Orders in this list have changed."</p>
                    <button type="button" class="button secondary" on:click=move |_| {
                        outdated.set(false);
                        version.update(|version| *version += 1);
                    }>"Show the latest"</button>
                </div>
            </Show>
            <Show when=move || results.with(Option::is_some)>
                <div class="callout" role="status" data-testid="batch-results">
                    <ul>{move || results.get().unwrap_or_default().lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                    {move || results.get().and_then(|report| report.batch_id).map(|id| view! {
                        <p><a href=format!("/batches/{id}")>"View this batch"</a></p>
                    })}
                    <button type="button" class="button secondary" on:click=move |_| results.set(None)>"Dismiss"</button>
                </div>
            </Show>
            <ResubmitSelected selection on_batch/>
            <MoveSelected selection=staff_selection on_batch/>
            <DownloadSelected selection=bundle_selection/>
            <Transition fallback=|| view! { <p class="loading">"Loading orders…"</p> }>
                {move || Suspend::new(async move {
                    match first_page.await {
                        Ok(page) => {
                            more.set(Vec::new());
                            next_cursor.set(page.next_cursor.clone());
                            if page.orders.is_empty() {
                                view! { <p class="empty" data-testid="empty">"No orders here."</p> }.into_any()
                            } else {
                                // The button belongs to the loaded list: rendered
                                // with it, the server's HTML and the hydrating
                                // browser agree on whether it is there.
                                let own_layout = match me {
                                    Some(me) => me.await.ok().map(|me| me.list_layout),
                                    None => None,
                                };
                                let layout = move || {
                                    layout_param.get()
                                        .or_else(|| chosen.and_then(|chosen| chosen.get()))
                                        .or(own_layout)
                                        .unwrap_or(ListLayout::Cards)
                                };
                                let orders = page.orders;
                                view! {
                                    <LayoutSwitch layout=Signal::derive(layout) choose=choose_layout/>
                                    {move || match layout() {
                                        ListLayout::Table => view! {
                                            <OrderTable orders=orders.clone() extra=more sort
                                                on_sort=Callback::new(move |sort| apply.run(OrderQuery { sort, ..filters.get_untracked() }))/>
                                        }.into_any(),
                                        ListLayout::Cards => view! {
                                            <OrderList orders=orders.clone() on_change=refresh on_batch/>
                                            <OrderList orders=Vec::new() extra=more on_change=refresh on_batch/>
                                        }.into_any(),
                                    }}
                                    // A closure, not <Show>: the Show's condition would
                                    // belong to this render, which the next page's
                                    // render retires while this one is still shown.
                                    {move || next_cursor.get().is_some().then(|| view! {
                                        <button type="button" class="button secondary load-more"
                                            disabled=move || load_more.pending().get()
                                            on:click=move |_| {
                                                if let Some(cursor) = next_cursor.get_untracked() {
                                                    load_more.dispatch(cursor);
                                                }
                                            }>
                                            "Load more"
                                        </button>
                                    })}
                                }.into_any()
                            }
                        }
                        Err(error) => view! {
                            <p class="error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Cards for `orders` (or, reactively, for `extra`), with each group's orders
/// together on one card.
#[component]
fn OrderList(
    orders: Vec<Order>,
    #[prop(optional)] extra: Option<RwSignal<Vec<Order>>>,
    on_change: Callback<()>,
    on_batch: Callback<BatchReport>,
) -> impl IntoView {
    let render = move |orders: Vec<Order>| {
        grouped(orders)
            .into_iter()
            .map(|mut run| {
                if run.len() > 1 {
                    view! { <GroupCard orders=run on_done=on_batch on_change/> }.into_any()
                } else {
                    let order = run.remove(0);
                    view! { <OrderCard order on_change/> }.into_any()
                }
            })
            .collect_view()
    };
    match extra {
        Some(extra) => {
            view! { <div class="order-list">{move || render(extra.get())}</div> }.into_any()
        }
        None => view! { <div class="order-list">{render(orders)}</div> }.into_any(),
    }
}

/// The orders in list order, each group's orders gathered where its first
/// order stands.
fn grouped(orders: Vec<Order>) -> Vec<Vec<Order>> {
    let mut runs: Vec<Vec<Order>> = Vec::new();
    for order in orders {
        let run = order
            .group_id
            .and_then(|group| runs.iter_mut().find(|run| run[0].group_id == Some(group)));
        match run {
            Some(run) => run.push(order),
            None => runs.push(vec![order]),
        }
    }
    runs
}

/// Staff filters: company, status within the view, and product.
#[component]
fn QueueFilters(
    view: View,
    filters: Memo<OrderQuery>,
    apply: Callback<OrderQuery>,
) -> impl IntoView {
    // The company of the URL is named once, as the page opens.
    let company = filters.with_untracked(|query| query.company_id);
    let options = Resource::new(|| (), move |_| get_filter_options(company));
    let id_of = |event: &leptos::ev::Event| event_target_value(event).parse::<i64>().ok();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                options.await.ok().map(|options| view! {
                    <div class="list-controls queue-filters">
                        <CompanyFilter filters apply named=options.company.map(|company| company.name).unwrap_or_default()/>
                        <label>
                            "Status "
                            <select on:change=move |event| apply.run(OrderQuery {
                                status: event_target_value(&event).parse::<Status>().ok(),
                                ..filters.get_untracked()
                            })>
                                <option value="">"All statuses"</option>
                                {view.statuses().into_iter().map(|status| view! {
                                    <option value=status.as_str()
                                        selected=move || filters.with(|query| query.status == Some(status))>
                                        {status.label()}
                                    </option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>
                            "Product "
                            <select on:change=move |event| apply.run(OrderQuery {
                                product_id: id_of(&event),
                                ..filters.get_untracked()
                            })>
                                <option value="">"All products"</option>
                                {options.products.into_iter().map(|product| view! {
                                    <option value=product.id.to_string()
                                        selected=move || filters.with(|query| query.product_id == Some(product.id))>
                                        {product.name}
                                    </option>
                                }).collect_view()}
                            </select>
                        </label>
                    </div>
                })
            })}
        </Transition>
    }
}

/// The company filter of the staff queue: a name typed from the third
/// character on offers the companies holding it, and the company whose name
/// is typed in full filters the queue.
#[component]
fn CompanyFilter(
    filters: Memo<OrderQuery>,
    apply: Callback<OrderQuery>,
    /// The name of the URL's company, if it has one.
    named: String,
) -> impl IntoView {
    let typed = RwSignal::new(named);
    // Only what is typed changes the filter, and only that is looked up:
    // the name shown at first is the URL's own company (and a lookup made
    // while the page renders would not reach the browser's hydration).
    let edited = RwSignal::new(false);
    let searched = RwSignal::new(String::new());
    let choices = company_choices(searched);
    // The filter follows the name once the offered companies hold it.
    Effect::new(move |_| {
        let text = typed.get();
        let chosen = choices
            .get()
            .and_then(|choices| find_named(&choices, &text));
        let decided = text.trim().is_empty() || chosen.is_some();
        if edited.get_untracked()
            && decided
            && filters.with_untracked(|query| query.company_id != chosen)
        {
            apply.run(OrderQuery {
                company_id: chosen,
                ..filters.get_untracked()
            });
        }
    });
    view! {
        <label>
            "Company "
            <input type="search" list="company-filter-choices" autocomplete="off"
                placeholder="All companies"
                prop:value=typed
                on:input=move |event| {
                    edited.set(true);
                    typed.set(event_target_value(&event));
                    searched.set(event_target_value(&event));
                }/>
        </label>
        <CompanyDatalist id="company-filter-choices" choices/>
    }
}

/// The list the URL asks for: its view's page, with `status`,
/// `company_id`, `product_id`, `q` and `sort` from the query (what does
/// not parse is left out).
fn order_query(view: View, params: &ParamsMap) -> OrderQuery {
    let id = |key: &str| {
        params
            .get_str(key)
            .and_then(|text| text.parse::<i64>().ok())
    };
    OrderQuery {
        view: Some(view),
        status: params
            .get_str("status")
            .and_then(|text| text.parse::<Status>().ok()),
        company_id: id("company_id"),
        product_id: id("product_id"),
        q: params.get("q").filter(|text| !text.trim().is_empty()),
        sort: parse_sort(params.get_str("sort").unwrap_or_default()),
        ..OrderQuery::default()
    }
}

/// The sort named `text`; the default for any other text.
fn parse_sort(text: &str) -> Sort {
    Sort::ALL
        .into_iter()
        .find(|sort| sort.as_str() == text)
        .unwrap_or_default()
}

/// Cards or table: the two buttons that choose how the list shows orders.
#[component]
fn LayoutSwitch(layout: Signal<ListLayout>, choose: Callback<ListLayout>) -> impl IntoView {
    view! {
        <div class="layout-switch" role="group" aria-label="Show orders as">
            {ListLayout::ALL.into_iter().map(|option| view! {
                <button type="button" class="button secondary" data-layout=option.as_str()
                    aria-pressed=move || (layout.get() == option).to_string()
                    on:click=move |_| choose.run(option)>
                    {option.label()}
                </button>
            }).collect_view()}
        </div>
    }
}

/// The address of the view's page showing `query`, as cards or a table
/// when `layout` says.
fn page_href(view: View, query: &OrderQuery, layout: Option<ListLayout>) -> String {
    let mut query = OrderQuery {
        view: None,
        ..query.clone()
    }
    .list_query_string();
    if let Some(layout) = layout {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("layout=");
        query.push_str(layout.as_str());
    }
    if query.is_empty() {
        view.path().to_owned()
    } else {
        format!("{}?{query}", view.path())
    }
}
