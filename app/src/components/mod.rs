//! Building blocks shared by the pages.

pub mod bulk_move;
pub mod bundle;
pub mod cancel;
pub mod company_choices;
pub mod dialog;
pub mod list_url;
pub mod order_actions;
pub mod order_table;
pub mod resubmit_many;
pub mod upload;
pub mod when;

use crate::api::{Logout, get_me, get_notifications, order_counts};
use crate::api_error::ApiError;
use crate::live::provide_live_updates;
use crate::model::{BatchResult, Counts, ListLayout, Me, Notifications, Order};
use crate::rules::{Action, Permission, Status, View};
use cancel::CancelOrder;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use order_table::SlaSummary;

/// The badge counts, shared so that any page can refresh them after a change.
#[derive(Clone, Copy)]
pub struct CountsResource(pub Resource<Result<Counts, ApiError>>);

/// The list layout chosen since the page loaded, which lists whose URL
/// does not name one show until the user's own layout is read again.
#[derive(Clone, Copy)]
pub struct LayoutChoice(pub RwSignal<Option<ListLayout>>);

/// The notifications behind the bell.
#[derive(Clone, Copy)]
pub struct NotificationsResource(pub Resource<Result<Notifications, ApiError>>);

/// A function that fetches the sidebar badges and the bell's count again,
/// for a page to call after a change. Call it while building the page.
pub fn badge_refresher() -> impl Fn() + Copy + Send + Sync + 'static {
    let counts = use_context::<CountsResource>();
    let notifications = use_context::<NotificationsResource>();
    move || {
        if let Some(CountsResource(counts)) = counts {
            counts.refetch();
        }
        if let Some(NotificationsResource(notifications)) = notifications {
            notifications.refetch();
        }
    }
}

/// The frame of every signed-in page: header, sidebar with badges, content.
#[component]
pub fn Shell() -> impl IntoView {
    // Blocking: the page's frame (who is signed in, the links their
    // permissions allow, the badges) is in the first bytes sent, so nothing
    // arrives later to push the page down; each is a single indexed read.
    let me = Resource::new_blocking(|| (), |_| get_me());
    let counts = Resource::new_blocking(|| (), |_| order_counts());
    provide_context(CountsResource(counts));
    let notifications = Resource::new_blocking(|| (), |_| get_notifications());
    provide_context(NotificationsResource(notifications));
    provide_context(me);
    provide_context(LayoutChoice(RwSignal::new(None)));
    // Other people's changes: the badges and the bell follow them.
    let live = provide_live_updates();
    Effect::new(move |_| {
        if live.batches.with(|batch| batch.generation > 0) {
            counts.refetch();
        }
    });
    Effect::new(move |_| {
        if live.notifications.get() > 0 {
            notifications.refetch();
        }
    });
    let logout = ServerAction::<Logout>::new();
    // On a phone the navigation is a menu, closed again by following one
    // of its links.
    let menu_open = RwSignal::new(false);
    view! {
        <div class="app" class:menu-open=move || menu_open.get()>
            <header class="topbar">
                <a class="brand" href="/orders">"Ordering Portal"</a>
                <button type="button" class="button secondary menu-button" aria-controls="sidebar"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|open| *open = !*open)>
                    "Menu"
                </button>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.await.ok().map(|me: Me| view! {
                            <div class="who" data-testid="who">
                                <span class="who-name">{me.user.name}</span>
                                <span class="who-org">
                                    {me.company.map(|company| company.name).unwrap_or_else(|| "FTS".to_owned())}
                                    " · " {me.group_label}
                                </span>
                            </div>
                        })
                    })}
                </Transition>
                <a class="bell" href="/notifications" data-testid="bell">
                    "Notifications"
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            notifications.await.ok().filter(|inbox| inbox.unread > 0).map(|inbox| view! {
                                <span class="badge attention" data-testid="unread"
                                    aria-label=format!("{} unread", inbox.unread)>{inbox.unread}</span>
                            })
                        })}
                    </Transition>
                </a>
                <ActionForm action=logout attr:class="logout">
                    <button type="submit" class="button secondary">"Sign out"</button>
                </ActionForm>
            </header>
            <nav class="sidebar" id="sidebar" aria-label="Order views"
                on:click=move |event| {
                    let on_link = event_target::<web_sys::Element>(&event).closest("a").ok().flatten().is_some();
                    if on_link {
                        menu_open.set(false);
                    }
                }>
                <WithPermission permission=Permission::OrdersCreate>
                    <A href="/orders/new" attr:class="button primary new-order-link">"New order"</A>
                </WithPermission>
                <ul>
                    {View::ALL.into_iter().map(|view| view! { <SidebarLink view counts/> }).collect_view()}
                </ul>
                <WithPermission permission=Permission::OrdersViewAll>
                    <ul><li><A href="/dashboard">"Dashboard"</A></li></ul>
                </WithPermission>
                <ul><li><A href="/batches">"Batches"</A></li></ul>
                <WithPermission permission=Permission::AdminUsers>
                    <ul><li><A href="/admin">"Administration"</A></li></ul>
                </WithPermission>
            </nav>
            <main class="content" id="main">
                <Outlet/>
            </main>
        </div>
    }
}

#[component]
fn SidebarLink(view: View, counts: Resource<Result<Counts, ApiError>>) -> impl IntoView {
    view! {
        <li>
            <A href=view.path() exact=true attr:data-view=view.slug()>
                <span class="label">{view.label()}</span>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        counts.await.ok().map(|counts| {
                            let n = counts.get(view);
                            let attention = view == View::OnHold && n > 0;
                            view! {
                                <span class="badge" class:attention=attention
                                    data-testid=format!("badge-{}", view.slug())
                                    aria-label=format!("{n} orders")>
                                    {n}
                                </span>
                            }
                        })
                    })}
                </Transition>
            </A>
        </li>
    }
}

/// Shows its children only to users holding `permission`, and `fallback`
/// (nothing by default) to everyone else.
#[component]
pub fn WithPermission(
    permission: Permission,
    children: ChildrenFn,
    #[prop(optional, into)] fallback: ViewFn,
) -> impl IntoView {
    let me = use_context::<Resource<Result<Me, ApiError>>>();
    let children = StoredValue::new(children);
    let fallback = StoredValue::new(fallback);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let allowed = match me {
                    Some(me) => me
                        .await
                        .is_ok_and(|me| me.permissions.iter().any(|held| held == permission.as_str())),
                    None => false,
                };
                if allowed {
                    children.with_value(|children| children()).into_any()
                } else {
                    fallback.with_value(|fallback| fallback.run())
                }
            })}
        </Transition>
    }
}

/// A status as a coloured pill.
#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    view! {
        <span class=format!("status status-{}", status.as_str()) data-status=status.as_str()>
            {status.label()}
        </span>
    }
}

/// An amount in cents as dollars.
pub fn money(cents: i64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

/// An RFC 3339 timestamp as `YYYY-MM-DD HH:MM` (UTC).
pub fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

/// One order in a list, with its cancel button when the rules allow it.
#[component]
pub fn OrderCard(order: Order, on_change: Callback<()>) -> impl IntoView {
    let href = format!("/order/{}", order.id);
    let can_cancel = order.allowed_actions.contains(&Action::Cancel);
    let pick = batch_pick(&order);
    view! {
        <article class="order-card" data-testid="order-card" data-number=order.number.clone()>
            <header>
                <a class="order-number" href=href>{order.number.clone()}</a>
                <StatusBadge status=order.status/>
            </header>
            <p class="order-title">{order.title.clone()}</p>
            {order.hold_reason.clone().filter(|_| order.status.needs_attention()).map(|reason| view! {
                <p class="reason" role="note">{reason}</p>
            })}
            {order.checklist_summary().map(|summary| {
                view! {
                    <div class="card-checklist" data-testid="card-checklist">
                        <p>{summary}</p>
                        <ul>
                            {order.checklist.iter().map(|item| view! {
                                <li data-satisfied=item.satisfied.to_string()>
                                    <span aria-hidden="true">{if item.satisfied { "✓ " } else { "○ " }}</span>
                                    {item.item.clone()}
                                    {(!item.satisfied).then_some(view! { <span class="visually-hidden">" (still needed)"</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                }
            })}
            <dl class="facts">
                <div><dt>"Product"</dt><dd>{order.product.clone()}</dd></div>
                <div><dt>"Expected"</dt><dd>{order.expected_date.clone().unwrap_or_else(|| "—".to_owned())}</dd></div>
                <div><dt>"Placed by"</dt><dd>{order.placed_by.name.clone()}</dd></div>
                <div><dt>"Company"</dt><dd>{order.company.name.clone()}</dd></div>
                {order.sla.clone().map(|sla| view! {
                    <div><dt>"Due"</dt><dd>{sla.due_date.clone()} " " <SlaSummary sla=Some(sla)/></dd></div>
                })}
            </dl>
            {can_cancel.then(|| view! {
                <div class="card-actions"><CancelOrder order=order.clone() on_done=on_change/></div>
            })}
            {pick.map(|(picked, label)| view! { <PickOrder picked order=order.clone() label/> })}
        </article>
    }
}

/// The batch an order's checkbox feeds on this page, if any, and the
/// checkbox's label: resubmission, a staff move, or a report bundle.
pub fn batch_pick(order: &Order) -> Option<(RwSignal<Vec<Picked>>, String)> {
    if let Some(resubmit_many::Selection(picked)) = use_context::<resubmit_many::Selection>()
        .filter(|_| order.allowed_actions.contains(&Action::Resubmit))
    {
        return Some((picked, format!("Select {} for resubmission", order.number)));
    }
    if let Some(bulk_move::StaffSelection(picked)) =
        use_context::<bulk_move::StaffSelection>().filter(|_| !order.allowed_transitions.is_empty())
    {
        return Some((picked, format!("Select {}", order.number)));
    }
    use_context::<bundle::BundleSelection>()
        .filter(|_| order.allowed_actions.contains(&Action::Download))
        .map(|bundle::BundleSelection(picked)| {
            (
                picked,
                format!("Select {} for the files download", order.number),
            )
        })
}

/// An order picked on its card for a batch action.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    pub id: i64,
    pub number: String,
    /// Where staff may move it.
    pub transitions: Vec<Status>,
}

impl Picked {
    /// `(id, number)` of each, for describing a batch result.
    pub fn numbers(picked: &[Picked]) -> Vec<(i64, String)> {
        picked
            .iter()
            .map(|picked| (picked.id, picked.number.clone()))
            .collect()
    }
}

/// The checkbox on a card that adds its order to (or takes it out of) a
/// batch.
#[component]
pub fn PickOrder(
    picked: RwSignal<Vec<Picked>>,
    order: Order,
    label: String,
    /// Read by screen readers only (in a table row, which names the order).
    #[prop(optional)]
    hide_label: bool,
) -> impl IntoView {
    let id = order.id;
    let entry = Picked {
        id,
        number: order.number.clone(),
        transitions: order.allowed_transitions.clone(),
    };
    view! {
        <label class="checkbox select">
            <input type="checkbox"
                prop:checked=move || picked.with(|picked| picked.iter().any(|chosen| chosen.id == id))
                on:change=move |event| {
                    let on = event_target_checked(&event);
                    picked.update(|picked| {
                        picked.retain(|chosen| chosen.id != id);
                        if on {
                            picked.push(entry.clone());
                        }
                    });
                }/>
            <span class:visually-hidden=hide_label>{format!(" {label}")}</span>
        </label>
    }
}

/// The documents typed one per line, blank lines left out.
pub fn document_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What a batch did, as the list shows it: a line per order, and the kept
/// batch to open later.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    pub lines: Vec<String>,
    pub batch_id: Option<i64>,
}

/// One line per order of a batch result, by order number.
pub fn describe_batch(result: &BatchResult, numbers: &[(i64, String)]) -> BatchReport {
    let lines = result
        .results
        .iter()
        .map(|item| {
            let number = numbers
                .iter()
                .find(|(id, _)| *id == item.order_id)
                .map(|(_, number)| number.clone())
                .unwrap_or_else(|| format!("Order {}", item.order_id));
            match (&item.error, item.status) {
                (None, Some(status)) => format!("{number}: {}.", status.label()),
                (Some(error), _) => format!("{number}: not changed. {}", error.message),
                (None, None) => format!("{number}: done."),
            }
        })
        .collect();
    BatchReport {
        lines,
        batch_id: result.batch_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BatchError, BatchItem};
    use crate::rules::Status;

    #[test]
    fn typed_documents_are_one_per_line_without_blanks() {
        assert_eq!(
            document_lines("  Signed survey \n\n\tFlood zone map\r\n   \n"),
            ["Signed survey", "Flood zone map"]
        );
        assert!(document_lines(" \n \n").is_empty());
    }

    #[test]
    fn a_batch_reads_by_order_number_and_keeps_where_it_is_kept() {
        let result = BatchResult {
            results: vec![
                BatchItem {
                    order_id: 7,
                    number: None,
                    ok: true,
                    status: Some(Status::OnHold),
                    error: None,
                },
                BatchItem {
                    order_id: 8,
                    number: None,
                    ok: false,
                    status: None,
                    error: Some(BatchError {
                        code: "not_found".to_owned(),
                        message: "Not found.".to_owned(),
                    }),
                },
            ],
            succeeded: 1,
            failed: 1,
            batch_id: Some(42),
        };
        let report = describe_batch(&result, &[(7, "ORD-1007".to_owned())]);
        assert_eq!(
            report,
            BatchReport {
                lines: vec![
                    "ORD-1007: On Hold.".to_owned(),
                    "Order 8: not changed. Not found.".to_owned(),
                ],
                batch_id: Some(42),
            }
        );
    }
}
