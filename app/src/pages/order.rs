use crate::api::get_order;
use crate::api_error::ApiError;
use crate::components::cancel::CancelOrder;
use crate::components::order_actions::{NoteForm, ResubmitOrder, StaffTransitions, SubmitOrder};
use crate::components::order_table::SlaSummary;
use crate::components::upload::Uploader;
use crate::components::when::When;
use crate::components::{StatusBadge, WithPermission, badge_refresher, money};
use crate::live::{redraw_if_changed, use_live_updates};
use crate::model::{AttachmentKind, EventKind, Order, OrderDetail};
use crate::rules::{Action, Permission};
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
    let version = RwSignal::new(0u32);
    let order = Resource::new(
        move || (id(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_order(id).await,
                None => Err(ApiError::not_found()),
            }
        },
    );
    // The order changed: show it as it is now (drawn again only when it
    // differs from what is shown).
    if let Some(live) = use_live_updates() {
        Effect::new(move |_| {
            let Some(current) = untrack(id) else { return };
            if !live.batches.with(|batch| batch.concerns(current)) {
                return;
            }
            redraw_if_changed(order, get_order(current), version);
        });
    }
    let refresh_badges = badge_refresher();
    let on_change = Callback::new(move |_| {
        version.update(|version| *version += 1);
        refresh_badges();
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(detail) => view! { <OrderDetailView detail on_change/> }.into_any(),
                    Err(error) => view! {
                        <Title text="Order not found"/>
                        <h1>"Order not found"</h1>
                        <p class="error" role="alert">{error.message}</p>
                        <p><a href="/orders">"Back to your orders"</a></p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OrderDetailView(detail: OrderDetail, on_change: Callback<()>) -> impl IntoView {
    let OrderDetail {
        order,
        notes,
        attachments,
        events,
    } = detail;
    let can_note = order.allowed_actions.contains(&Action::Note);
    let can_upload = order.allowed_actions.contains(&Action::Upload);
    let can_download = order.allowed_actions.contains(&Action::Download);
    let order_id = order.id;
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
            {(!order.checklist.is_empty()).then(|| view! {
                <Checklist order=order.clone() can_upload can_download on_change/>
            })}
            <dl class="facts">
                <div><dt>"Product"</dt><dd>{order.product.clone()}</dd></div>
                <div><dt>"Company"</dt><dd>{order.company.name.clone()}</dd></div>
                <div><dt>"Placed by"</dt><dd>{order.placed_by.name.clone()}</dd></div>
                <div><dt>"Placed"</dt><dd><When at=order.created_at.clone()/></dd></div>
                <div><dt>"Expected"</dt><dd>{order.expected_date.clone().unwrap_or_else(|| "—".to_owned())}</dd></div>
                {order.sla.clone().map(|sla| view! {
                    <div data-testid="sla-due"><dt>"Due"</dt><dd>{sla.due_date.clone()} " " <SlaSummary sla=Some(sla.clone())/>
                        {(sla.paused_days > 0).then(|| format!(" (paused {} business day{})", sla.paused_days, if sla.paused_days == 1 { "" } else { "s" }))}</dd></div>
                })}
                <div><dt>"Paid"</dt><dd>{money(order.paid_cents)}</dd></div>
            </dl>
            {order.refund.clone().map(|refund| view! {
                <div class="callout" data-testid="refund">
                    {format!("{} {} ({}).", money(refund.amount_cents),
                        refund.kind.label(), refund.state)}
                </div>
            })}
            <section class="panel" aria-labelledby="actions-heading">
                <h2 id="actions-heading">"What you can do"</h2>
                {if !order.allowed_actions.iter().any(|action| matches!(action, Action::Cancel | Action::Submit | Action::Resubmit))
                    && order.allowed_transitions.is_empty() {
                    Some(view! { <p class="muted">"No status change is possible on this order now."</p> })
                } else {
                    None
                }}
                <div class="actions-row">
                    {order.allowed_actions.contains(&Action::Submit).then(|| view! {
                        <SubmitOrder order=order.clone() on_done=on_change/>
                    })}
                    {order.allowed_actions.contains(&Action::Cancel).then(|| view! {
                        <CancelOrder order=order.clone() on_done=on_change/>
                    })}
                </div>
                {order.allowed_actions.contains(&Action::Resubmit).then(|| view! {
                    <ResubmitOrder order=order.clone() on_done=on_change/>
                })}
                {(!order.allowed_transitions.is_empty()).then(|| view! {
                    <StaffTransitions order=order.clone() on_done=on_change/>
                })}
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
                                    <span class="filename">{attachment.filename.clone()}</span>
                                    {(attachment.kind == AttachmentKind::Report).then(|| view! {
                                        <span class="tag">"Vendor report"</span>
                                    })}
                                    <span class="muted">
                                        {format!(" {} KB · {} · ", (attachment.size + 1023) / 1024,
                                            attachment.uploaded_by.name)}
                                        <When at=attachment.created_at.clone()/>
                                    </span>
                                    {(attachment.download_count > 0).then(|| view! {
                                        <p class="muted downloads" data-testid="downloads">
                                            {format!("Downloaded {} time{}: ", attachment.download_count,
                                                if attachment.download_count == 1 { "" } else { "s" })}
                                            {attachment.downloads.iter().enumerate().map(|(index, download)| view! {
                                                {(index > 0).then_some("; ")}
                                                {format!("{} ({}) ", download.by.name, download.via)}
                                                <When at=download.at.clone()/>
                                            }).collect_view()}
                                        </p>
                                    })}
                                    {attachment.first_downloaded_at.clone().map(|at| view! {
                                        <p class="muted downloads" data-testid="first-download">
                                            "First downloaded by your company " <When at/>
                                        </p>
                                    })}
                                    {can_download.then(|| view! {
                                        <span class="file-links">
                                            <a href=format!("/attachment/{}/view", attachment.id) target="_blank"
                                                rel="noopener" aria-label=format!("View {}", attachment.filename)>"View"</a>
                                            <a href=format!("/attachment/{}/download", attachment.id) download=""
                                                aria-label=format!("Download {}", attachment.filename)>"Download"</a>
                                        </span>
                                    })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {(!can_download).then(|| view! {
                    <p class="muted">"Documents can be downloaded once the order is received."</p>
                })}
                {can_upload.then(|| view! { <Uploader order_id on_done=on_change/> })}
                <WithPermission permission=Permission::OrdersVendorReports>
                    <Uploader order_id report=true on_done=on_change/>
                </WithPermission>
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
                                        {note.author.name} " · " <When at=note.created_at.clone()/>
                                        {note.internal.then_some(" · internal")}
                                    </p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {can_note.then(|| view! { <NoteForm order_id on_done=on_change/> })}
            </section>
            <section class="panel" aria-labelledby="timeline-heading">
                <h2 id="timeline-heading">"Timeline"</h2>
                <ol class="timeline">
                    {events.into_iter().map(|event| view! {
                        <li>
                            <span class="when"><When at=event.created_at.clone()/></span>
                            <span class="what">
                                {match (event.kind, event.from_status, event.to_status) {
                                    (EventKind::Note, ..) => "Note added".to_owned(),
                                    (EventKind::Upload, ..) => "Document uploaded".to_owned(),
                                    (EventKind::Checklist, ..) => "Checklist".to_owned(),
                                    (_, None, Some(to)) => format!("Created as {}", to.label()),
                                    (_, Some(from), Some(to)) => format!("{} → {}", from.label(), to.label()),
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

/// The documents a hold asked for: which are provided, by which file, and
/// an upload for each one still missing while the order waits for them.
#[component]
fn Checklist(
    order: Order,
    can_upload: bool,
    can_download: bool,
    on_change: Callback<()>,
) -> impl IntoView {
    let missing = order.checklist_missing();
    let total = order.checklist.len();
    let waiting = order.status.needs_attention();
    let order_id = order.id;
    view! {
        <section class="panel checklist" aria-labelledby="checklist-heading" data-testid="checklist">
            <h2 id="checklist-heading">"Documents asked for"</h2>
            <p class="muted" data-testid="checklist-progress">
                {format!("{} of {total} provided", total - missing)}
            </p>
            <ul class="checklist-items">
                {order.checklist.into_iter().map(|item| {
                    let answered = item.satisfied;
                    view! {
                        <li data-satisfied=answered.to_string() data-item=item.item.clone()>
                            <span class="check" aria-hidden="true">{if answered { "✓" } else { "○" }}</span>
                            <span class="item">{item.item.clone()}</span>
                            {match (item.filename.clone(), item.attachment_id) {
                                (Some(filename), Some(id)) if can_download => view! {
                                    <span class="answer">" · "<a href=format!("/attachment/{id}/view") target="_blank" rel="noopener">{filename}</a></span>
                                }.into_any(),
                                (Some(filename), _) => view! { <span class="answer">" · " {filename}</span> }.into_any(),
                                _ => view! { <span class="visually-hidden">" (still needed)"</span> }.into_any(),
                            }}
                            {(!answered && waiting && can_upload).then(|| view! {
                                <Uploader order_id checklist_item=(item.id, item.item.clone()) on_done=on_change/>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
