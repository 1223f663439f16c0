//! Cancelling: one order from its card or page, or a whole group at once.

use super::dialog::ConfirmDialog;
use super::{BatchReport, OrderCard, describe_batch, money};
use crate::api::{cancel_order, cancel_orders};
use crate::model::Order;
use crate::pages::action_error;
use crate::rules::{Action as OrderAction, RefundKind};
use leptos::prelude::*;

/// What cancelling `order` does with its money, in words.
pub fn refund_preview(order: &Order) -> String {
    match order.refund_if_cancelled {
        Some(RefundKind::AccountCredit) => format!(
            "{} will be credited to your company's account.",
            money(order.paid_cents)
        ),
        Some(RefundKind::PendingRefund) => format!(
            "A refund of {} to the original payment will be created.",
            money(order.paid_cents)
        ),
        None => "Nothing was paid for this order, so nothing is refunded.".to_owned(),
    }
}

/// The "Cancel order" button with its confirmation dialog.
#[component]
pub fn CancelOrder(order: Order, on_done: Callback<()>) -> impl IntoView {
    let open = RwSignal::new(false);
    let id = order.id;
    let cancel = Action::new(move |_: &()| cancel_order(id));
    Effect::new(move |_| {
        if let Some(Ok(_)) = cancel.value().get() {
            open.set(false);
            on_done.run(());
        }
    });
    let preview = refund_preview(&order);
    let drawn = vec![(order.id, order.status)];
    view! {
        <button type="button" class="button danger" on:click=move |_| open.set(true)>
            "Cancel order"
        </button>
        <ConfirmDialog
            open
            id=format!("cancel-{id}")
            title=format!("Cancel {}?", order.number)
            confirm_label="Yes, cancel order"
            dismiss_label="Keep order"
            on_confirm=Callback::new(move |_| { cancel.dispatch(()); })
            busy=cancel.pending()
            orders=drawn
        >
            <p>{order.title.clone()}</p>
            <p data-testid="refund-preview">{preview.clone()}</p>
            <p class="muted">"A cancelled order cannot be reopened."</p>
            {action_error(cancel)}
        </ConfirmDialog>
    }
}

/// Orders placed together, shown as one card with "Cancel All".
#[component]
pub fn GroupCard(
    orders: Vec<Order>,
    /// Runs after an order changed, with a line per order of a batch.
    on_done: Callback<BatchReport>,
    on_change: Callback<()>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let group_id = orders
        .first()
        .and_then(|order| order.group_id)
        .unwrap_or_default();
    let ids: Vec<i64> = orders.iter().map(|order| order.id).collect();
    let numbers: Vec<(i64, String)> = orders
        .iter()
        .map(|order| (order.id, order.number.clone()))
        .collect();
    let cancellable = orders
        .iter()
        .filter(|order| order.allowed_actions.contains(&OrderAction::Cancel))
        .count();
    let cancel_all = Action::new(move |ids: &Vec<i64>| cancel_orders(ids.clone()));
    Effect::new(move |_| {
        if let Some(Ok(result)) = cancel_all.value().get() {
            open.set(false);
            on_done.run(describe_batch(&result, &numbers));
        }
    });
    let plan: Vec<(String, String)> = orders
        .iter()
        .map(|order| {
            let fate = if order.allowed_actions.contains(&OrderAction::Cancel) {
                format!("Will be cancelled. {}", refund_preview(order))
            } else {
                format!("Will not be cancelled: it is {}.", order.status.label())
            };
            (order.number.clone(), fate)
        })
        .collect();
    let count = orders.len();
    let drawn: Vec<_> = orders
        .iter()
        .map(|order| (order.id, order.status))
        .collect();
    view! {
        <section class="group-card" data-testid="group-card" aria-label=format!("Group of {count} orders")>
            <header>
                <h2>{format!("{count} orders placed together")}</h2>
                {(cancellable >= 2).then(|| view! {
                    <button type="button" class="button danger" on:click=move |_| open.set(true)>"Cancel All"</button>
                })}
            </header>
            <div class="group-orders">
                {orders.into_iter().map(|order| view! { <OrderCard order on_change/> }).collect_view()}
            </div>
            <ConfirmDialog
                open
                id=format!("cancel-group-{group_id}")
                title=format!("Cancel all {count} orders?")
                confirm_label="Yes, cancel all"
                dismiss_label="Keep orders"
                on_confirm=Callback::new(move |_| { cancel_all.dispatch(ids.clone()); })
                busy=cancel_all.pending()
                orders=drawn
            >
                <ul class="plan" data-testid="cancel-plan">
                    {plan.clone().into_iter().map(|(number, fate)| view! {
                        <li><strong>{number}</strong> " — " {fate}</li>
                    }).collect_view()}
                </ul>
                {action_error(cancel_all)}
            </ConfirmDialog>
        </section>
    }
}
