use super::error_message;
use crate::api::list_orders;
use crate::components::OrderCard;
use crate::rules::View;
use leptos::prelude::*;
use leptos_meta::Title;

/// One view of the sidebar: the orders it lists, searchable as you type.
#[component]
pub fn OrdersPage(view: View) -> impl IntoView {
    let (search, set_search) = signal(String::new());
    let orders = Resource::new(
        move || search.get(),
        move |text| {
            let text = text.trim().to_owned();
            list_orders(view, (!text.is_empty()).then_some(text), None)
        },
    );
    view! {
        <Title text=view.label()/>
        <section class="orders" data-view=view.slug()>
            <header class="page-header">
                <h1>{view.label()}</h1>
                <input
                    type="search"
                    class="search"
                    placeholder="Search by number or title"
                    aria-label="Search orders by number or title"
                    prop:value=search
                    on:input=move |event| set_search.set(event_target_value(&event))
                />
            </header>
            <Transition fallback=|| view! { <p class="loading">"Loading orders…"</p> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Ok(page) if page.orders.is_empty() => {
                            view! { <p class="empty" data-testid="empty">"No orders here."</p> }.into_any()
                        }
                        Ok(page) => view! {
                            <div class="order-list">
                                {page.orders.into_iter().map(|order| view! { <OrderCard order/> }).collect_view()}
                            </div>
                        }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error_message(&error)}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
