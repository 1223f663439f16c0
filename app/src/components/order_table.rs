//! The dense table of a list: a row per order, for people who work
//! through many of them (staff get it by default), with the service-level
//! clock in plain words.

use crate::components::{PickOrder, StatusBadge, batch_pick, bulk_move, resubmit_many, short_time};
use crate::model::{Order, Sort};
use crate::rules::sla::{Sla, SlaMark};
use leptos::prelude::*;

/// The table of `orders`, and below them, reactively, of `extra` (the
/// pages loaded after the first). The Placed and Due headers sort the
/// list by `on_sort`.
#[component]
pub fn OrderTable(
    orders: Vec<Order>,
    extra: RwSignal<Vec<Order>>,
    sort: Signal<Sort>,
    on_sort: Callback<Sort>,
) -> impl IntoView {
    let selectable = use_context::<resubmit_many::Selection>().is_some()
        || use_context::<bulk_move::StaffSelection>().is_some();
    view! {
        <div class="table-scroll">
            <table class="order-table" data-testid="order-table">
                <thead>
                    <tr>
                        {selectable.then(|| view! {
                            <th scope="col"><span class="visually-hidden">"Select"</span></th>
                        })}
                        <th scope="col">"Number"</th>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Company"</th>
                        <th scope="col">"Product"</th>
                        <th scope="col">"Status"</th>
                        <SortHeader label="Placed" sort on_sort
                            ascending=Sort::Oldest descending=Some(Sort::Newest)/>
                        <SortHeader label="Due" sort on_sort ascending=Sort::Urgency descending=None/>
                        <th scope="col">"Age"</th>
                        <th scope="col">"Service level"</th>
                    </tr>
                </thead>
                <tbody>
                    {orders.into_iter().map(|order| view! { <OrderRow order selectable/> }).collect_view()}
                </tbody>
                <tbody>
                    <For each=move || extra.get() key=|order| order.id let(order)>
                        <OrderRow order selectable/>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// A column header that sorts the list: ascending first, then (where the
/// list can be read that way) descending.
#[component]
fn SortHeader(
    label: &'static str,
    sort: Signal<Sort>,
    on_sort: Callback<Sort>,
    ascending: Sort,
    descending: Option<Sort>,
) -> impl IntoView {
    let state = move || {
        let sort = sort.get();
        if sort == ascending {
            "ascending"
        } else if Some(sort) == descending {
            "descending"
        } else {
            "none"
        }
    };
    let next = move || match descending {
        Some(descending) if sort.get() == ascending => descending,
        _ => ascending,
    };
    view! {
        <th scope="col" aria-sort=state>
            <button type="button" class="sort-header" data-testid=format!("sort-{}", label.to_lowercase())
                on:click=move |_| on_sort.run(next())>
                {label}
                <span class="sort-arrow" aria-hidden="true">
                    {move || match state() {
                        "ascending" => "▲",
                        "descending" => "▼",
                        _ => "↕",
                    }}
                </span>
            </button>
        </th>
    }
}

#[component]
fn OrderRow(order: Order, selectable: bool) -> impl IntoView {
    let pick = batch_pick(&order);
    let mark = order.sla.as_ref().and_then(Sla::mark);
    let due = order
        .sla
        .as_ref()
        .map(|sla| sla.due_date.clone())
        .or_else(|| order.expected_date.clone())
        .unwrap_or_else(|| "—".to_owned());
    view! {
        <tr data-testid="order-row" data-number=order.number.clone()
            class:overdue=mark == Some(SlaMark::Overdue)
            class:due-soon=mark == Some(SlaMark::DueSoon)>
            {selectable.then(|| view! {
                <td class="select-cell">
                    {pick.map(|(picked, label)| view! { <PickOrder picked order=order.clone() label hide_label=true/> })}
                </td>
            })}
            <th scope="row"><a class="order-number" href=format!("/order/{}", order.id)>{order.number.clone()}</a></th>
            <td class="title-cell">{order.title.clone()}</td>
            <td>{order.company.name.clone()}</td>
            <td>{order.product.clone()}</td>
            <td>
                <StatusBadge status=order.status/>
                {order.checklist_summary().map(|summary| view! {
                    <span class="row-checklist" data-testid="row-checklist">{summary}</span>
                })}
            </td>
            <td><time datetime=order.created_at.clone() title=short_time(&order.created_at) + " UTC">
                {order.created_at.get(..10).unwrap_or_default().to_owned()}
            </time></td>
            <td>{due}</td>
            <td>{age(order.age_days)}</td>
            <td class="sla-cell"><SlaSummary sla=order.sla.clone()/></td>
        </tr>
    }
}

fn age(days: i64) -> String {
    match days {
        0 => "today".to_owned(),
        1 => "1 day".to_owned(),
        days => format!("{days} days"),
    }
}

/// The clock in words, marked when the order is late or due within a
/// business day.
#[component]
pub fn SlaSummary(sla: Option<Sla>) -> impl IntoView {
    sla.map(|sla| {
        let mark = sla.mark();
        let class = match mark {
            Some(SlaMark::Overdue) => "sla sla-overdue",
            Some(SlaMark::DueSoon) => "sla sla-due-soon",
            None => "sla",
        };
        view! {
            <span class=class data-testid="sla" data-state=sla.state.as_str()
                title=format!("Due {}", sla.due_date)>
                {(mark == Some(SlaMark::Overdue)).then_some("Overdue: ")}
                {sla.summary()}
            </span>
        }
    })
}
