use super::{HiddenPage, action_error};
use crate::api::{get_filter_options, place_orders};
use crate::components::{WithPermission, badge_refresher};
use crate::model::{NamedRef, NewOrder};
use crate::rules::Permission;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// Placing orders: one, or several at once, which then form a group that
/// can be cancelled together. Only customers place orders.
#[component]
pub fn NewOrderPage() -> impl IntoView {
    let options = Resource::new(|| (), |_| get_filter_options(None));
    view! {
        <WithPermission
            permission=Permission::OrdersCreate
            fallback=HiddenPage
        >
            <Title text="New order"/>
            <section class="new-order">
                <header class="page-header"><h1>"New order"</h1></header>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match options.await {
                            Ok(options) => view! { <NewOrderForm products=options.products/> }.into_any(),
                            Err(error) => view! {
                                <p class="error" role="alert">{error.message}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </WithPermission>
    }
}

/// One order of the form.
#[derive(Debug, Clone, Copy)]
struct Row {
    key: u32,
    product: RwSignal<i64>,
    title: RwSignal<String>,
}

impl Row {
    fn new(key: u32, product: i64) -> Row {
        Row {
            key,
            product: RwSignal::new(product),
            title: RwSignal::new(String::new()),
        }
    }
}

#[component]
fn NewOrderForm(products: Vec<NamedRef>) -> impl IntoView {
    let first_product = products.first().map_or(0, |product| product.id);
    let products = StoredValue::new(products);
    let next_key = StoredValue::new(1u32);
    let rows = RwSignal::new(vec![Row::new(0, first_product)]);
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| rows.push(Row::new(key, first_product)));
    };
    let place = Action::new(|orders: &Vec<NewOrder>| place_orders(orders.clone()));
    let navigate = use_navigate();
    let refresh_badges = badge_refresher();
    Effect::new(move |_| {
        if let Some(Ok(placed)) = place.value().get() {
            refresh_badges();
            let next = match placed.orders.as_slice() {
                [one] => format!("/order/{}", one.id),
                _ => "/orders".to_owned(),
            };
            navigate(&next, Default::default());
        }
    });
    let several = move || rows.with(|rows| rows.len() > 1);
    view! {
        <form class="card form new-order-form" aria-label="New order" on:submit=move |event| {
            event.prevent_default();
            let orders = rows
                .get_untracked()
                .iter()
                .map(|row| NewOrder {
                    product_id: row.product.get_untracked(),
                    title: row.title.get_untracked(),
                })
                .collect();
            place.dispatch(orders);
        }>
            <For each=move || rows.get() key=|row| row.key let:row>
                <OrderFields row rows products/>
            </For>
            <p class="hint">
                "Orders placed together form a group: you can cancel them all at once."
            </p>
            <div class="form-actions">
                <button type="button" class="button secondary" on:click=add>
                    "Add another order"
                </button>
                <button type="submit" class="button primary" disabled=move || place.pending().get()>
                    {move || match (place.pending().get(), several()) {
                        (true, _) => "Placing…",
                        (false, true) => "Place orders",
                        (false, false) => "Place order",
                    }}
                </button>
            </div>
            {action_error(place)}
        </form>
    }
}

#[component]
fn OrderFields(
    row: Row,
    rows: RwSignal<Vec<Row>>,
    products: StoredValue<Vec<NamedRef>>,
) -> impl IntoView {
    let key = row.key;
    let position = move || {
        rows.with(|rows| rows.iter().position(|other| other.key == key))
            .map_or(0, |index| index + 1)
    };
    let product_id = format!("product-{key}");
    let title_id = format!("title-{key}");
    view! {
        <fieldset class="order-fields">
            <legend>{move || format!("Order {}", position())}</legend>
            <label for=product_id.clone()>"Product"</label>
            <select id=product_id
                on:change=move |event| row.product.set(event_target_value(&event).parse().unwrap_or_default())
                prop:value=move || row.product.get().to_string()>
                {products.with_value(|products| products.iter().map(|product| view! {
                    <option value=product.id.to_string()>{product.name.clone()}</option>
                }).collect_view())}
            </select>
            <label for=title_id.clone()>"Title"</label>
            <input id=title_id required maxlength="200"
                placeholder="Property address, party or your reference"
                prop:value=row.title
                on:input=move |event| row.title.set(event_target_value(&event))/>
            <Show when=move || rows.with(|rows| rows.len() > 1)>
                <button type="button" class="button link"
                    aria-label=move || format!("Remove order {}", position())
                    on:click=move |_| rows.update(|rows| rows.retain(|other| other.key != key))>
                    "Remove"
                </button>
            </Show>
        </fieldset>
    }
}
