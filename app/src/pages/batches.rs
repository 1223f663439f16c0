//! `/batches` and `/batches/{id}`: the batch actions the user may see, and
//! each one's result per order.

use crate::api::{get_batch, get_batches};
use crate::api_error::ApiError;
use crate::components::StatusBadge;
use crate::components::when::When;
use crate::model::BatchDetail;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The batches, newest first, 25 to a page (the page's start is in the URL).
#[component]
pub fn BatchesPage() -> impl IntoView {
    let query = use_query_map();
    let batches = Resource::new(move || query.read().get("cursor"), get_batches);
    view! {
        <Title text="Batches"/>
        <section class="batches">
            <header class="page-header"><h1>"Batches"</h1></header>
            <p class="muted">"Every cancel-all, resubmission of several orders and bulk move, with what happened to each order."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match batches.await {
                        Ok(page) if page.items.is_empty() => {
                            view! { <p class="empty">"No batches yet."</p> }.into_any()
                        }
                        Ok(page) => view! {
                            <table class="list-table" data-testid="batches">
                                <thead><tr>
                                    <th scope="col">"Batch"</th>
                                    <th scope="col">"By"</th>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Succeeded"</th>
                                    <th scope="col">"Failed"</th>
                                </tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|batch| view! {
                                        <tr data-testid="batch-row">
                                            <td><a href=format!("/batches/{}", batch.id)>{format!("#{} · {}", batch.id, batch.describe())}</a></td>
                                            <td>{batch.actor.name.clone()}</td>
                                            <td><When at=batch.created_at.clone()/></td>
                                            <td>{batch.succeeded}</td>
                                            <td>{batch.failed}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {page.next_cursor.map(|cursor| view! {
                                <p><a class="button secondary" href=format!("/batches?cursor={cursor}")>"Older batches"</a></p>
                            })}
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// One batch and what it did to each order.
#[component]
pub fn BatchPage() -> impl IntoView {
    let params = use_params_map();
    let batch = Resource::new(
        move || {
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<i64>().ok())
        },
        |id| async move {
            match id {
                Some(id) => get_batch(id).await,
                None => Err(ApiError::not_found()),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match batch.await {
                    Ok(detail) => view! { <BatchView detail/> }.into_any(),
                    Err(error) => view! {
                        <Title text="Batch not found"/>
                        <h1>"Batch not found"</h1>
                        <p class="error" role="alert">{error.message}</p>
                        <p><a href="/batches">"All batches"</a></p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BatchView(detail: BatchDetail) -> impl IntoView {
    let BatchDetail { batch, results } = detail;
    let title = format!("Batch #{} · {}", batch.id, batch.describe());
    view! {
        <Title text=title.clone()/>
        <section class="batch" data-testid="batch">
            <header class="page-header"><h1>{title}</h1></header>
            <p>
                {format!("By {}, ", batch.actor.name)} <When at=batch.created_at.clone()/>
                {format!(": {} succeeded, {} failed.", batch.succeeded, batch.failed)}
            </p>
            <table class="list-table">
                <thead><tr>
                    <th scope="col">"Order"</th>
                    <th scope="col">"Result"</th>
                    <th scope="col">"Status"</th>
                </tr></thead>
                <tbody>
                    {results.into_iter().map(|item| view! {
                        <tr data-testid="batch-result" data-ok=item.ok.to_string()>
                            <td>{match item.number.clone() {
                                Some(number) => view! { <a href=format!("/order/{}", item.order_id)>{number}</a> }.into_any(),
                                None => view! { <span>{format!("Order {}", item.order_id)}</span> }.into_any(),
                            }}</td>
                            <td>{match item.error.clone() {
                                None => "Done".to_owned(),
                                Some(error) => error.message,
                            }}</td>
                            <td>{item.status.map(|status| view! { <StatusBadge status/> })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p><a href="/batches">"All batches"</a></p>
        </section>
    }
}
