//! `/admin/products`: the documents a hold of each product usually asks
//! for, which staff tick when they put an order on hold or reject it.

use super::{AdminSection, error_view};
use crate::api::{get_product_documents, set_product_documents};
use crate::live::hold_while_writing;
use crate::model::ProductDocuments;
use crate::pages::action_error;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminProductsPage() -> impl IntoView {
    let products = Resource::new(|| (), |_| get_product_documents());
    view! {
        <Title text="Products · Administration"/>
        <AdminSection>
            <p class="muted">"The documents staff can ask for when they put an order of a product on hold or reject it. One per line; staff may add others."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading products…"</p> }>
                {move || Suspend::new(async move {
                    match products.await {
                        Ok(products) => view! {
                            <div class="product-documents">
                                {products.into_iter().map(|listed| view! { <ProductForm listed/> }).collect_view()}
                            </div>
                        }.into_any(),
                        Err(error) => error_view(&error),
                    }
                })}
            </Transition>
        </AdminSection>
    }
}

/// One product's list, edited as lines of text.
#[component]
fn ProductForm(listed: ProductDocuments) -> impl IntoView {
    let id = listed.product.id;
    let field = format!("documents-{id}");
    let text = RwSignal::new(listed.documents.join("\n"));
    hold_while_writing(text);
    let save = Action::new(move |text: &String| {
        let documents = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
        set_product_documents(id, documents)
    });
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            text.set(saved.documents.join("\n"));
        }
    });
    view! {
        <form class="panel form" data-testid="product-documents" data-product=listed.product.name.clone()
            on:submit=move |event| {
                event.prevent_default();
                save.dispatch(text.get_untracked());
            }>
            <h2><label for=field.clone()>{listed.product.name.clone()}</label></h2>
            <textarea id=field rows="4" maxlength="4000"
                prop:value=text on:input=move |event| text.set(event_target_value(&event))></textarea>
            <div class="actions-row">
                <button type="submit" class="button secondary" disabled=move || save.pending().get()>"Save"</button>
                {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! {
                    <span class="muted" role="status">"Saved"</span>
                })}
            </div>
            {action_error(save)}
        </form>
    }
}
