use super::error_message;
use crate::api::get_order;
use crate::components::{StatusBadge, money, short_time};
use crate::model::{AttachmentKind, OrderDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One order: status, reason, dates, what the user may do, notes,
/// documents and timeline.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let order = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_order(id).await,
            None => Err(ServerFnError::ServerError("Not found.".to_owned())),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(detail) => view! { <OrderDetailView detail/> }.into_any(),
                    Err(error) => view! {
                        <Title text="Order not found"/>
                        <h1>"Order not found"</h1>
                        <p class="error" role="alert">{error_message(&error)}</p>
                        <p><a href="/orders">"Back to your orders"</a></p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OrderDetailView(detail: OrderDetail) -> impl IntoView {
    let OrderDetail {
        order,
        notes,
        attachments,
        events,
    } = detail;
    view! {
        <Title text=order.number.clone()/>
        <article class="order-detail" data-testid="order-detail" data-number=order.number.clone()>
            <header class="page-header">
                <h1>{order.number.clone()} " · " {order.title.clone()}</h1>
                <StatusBadge status=order.status/>
            </header>
            {order.hold_reason.clone().filter(|_| order.status.needs_attention()).map(|reason| view! {
                <div class="callout attention" role="note">
                    <strong>{format!("{}: ", order.status.label())}</strong>
                    <span data-testid="hold-reason">{reason}</span>
                </div>
            })}
            <dl class="facts">
                <div><dt>"Product"</dt><dd>{order.product.clone()}</dd></div>
                <div><dt>"Company"</dt><dd>{order.company.name.clone()}</dd></div>
                <div><dt>"Placed by"</dt><dd>{order.placed_by.name.clone()}</dd></div>
                <div><dt>"Placed"</dt><dd>{short_time(&order.created_at)}</dd></div>
                <div><dt>"Expected"</dt><dd>{order.expected_date.clone().unwrap_or_else(|| "—".to_owned())}</dd></div>
                <div><dt>"Paid"</dt><dd>{money(order.paid_cents)}</dd></div>
            </dl>
            <section class="panel" aria-labelledby="actions-heading">
                <h2 id="actions-heading">"What you can do"</h2>
                {if order.allowed_actions.is_empty() && order.allowed_transitions.is_empty() {
                    view! { <p class="muted">"Nothing can be changed on this order now."</p> }.into_any()
                } else {
                    view! {
                        <ul class="allowed-actions" data-testid="allowed-actions">
                            {order.allowed_actions.iter().map(|action| view! {
                                <li data-action=action.as_str()>{action.label()}</li>
                            }).collect_view()}
                            {order.allowed_transitions.iter().map(|status| view! {
                                <li data-transition=status.as_str()>{format!("Move to {}", status.label())}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="panel" aria-labelledby="documents-heading">
                <h2 id="documents-heading">"Documents"</h2>
                {if attachments.is_empty() {
                    view! { <p class="muted">"No documents yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="documents">
                            {attachments.into_iter().map(|attachment| view! {
                                <li data-kind=attachment.kind.as_str()>
                                    <span class="filename">{attachment.filename}</span>
                                    {(attachment.kind == AttachmentKind::Report).then(|| view! {
                                        <span class="tag">"Vendor report"</span>
                                    })}
                                    <span class="muted">
                                        {format!(" {} KB · {} · {}", (attachment.size + 1023) / 1024,
                                            attachment.uploaded_by.name, short_time(&attachment.created_at))}
                                    </span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="panel" aria-labelledby="notes-heading">
                <h2 id="notes-heading">"Notes"</h2>
                {if notes.is_empty() {
                    view! { <p class="muted">"No notes yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="notes">
                            {notes.into_iter().map(|note| view! {
                                <li class:internal=note.internal>
                                    <p class="note-body">{note.body}</p>
                                    <p class="muted">
                                        {note.author.name} " · " {short_time(&note.created_at)}
                                        {note.internal.then_some(" · internal")}
                                    </p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="panel" aria-labelledby="timeline-heading">
                <h2 id="timeline-heading">"Timeline"</h2>
                <ol class="timeline">
                    {events.into_iter().map(|event| view! {
                        <li>
                            <span class="when">{short_time(&event.created_at)}</span>
                            <span class="what">
                                {match (event.from_status, event.to_status) {
                                    (None, Some(to)) => format!("Created as {}", to.label()),
                                    (Some(from), Some(to)) => format!("{} → {}", from.label(), to.label()),
                                    _ => "Updated".to_owned(),
                                }}
                            </span>
                            <span class="who">{event.actor.name}</span>
                            {event.reason.map(|reason| view! { <span class="reason">{reason}</span> })}
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        </article>
    }
}
