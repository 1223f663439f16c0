use crate::api::{get_notifications, read_notification};
use crate::components::badge_refresher;
use crate::components::when::When;
use crate::live::use_live_updates;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// The user's notifications, newest first; opening one marks it read and
/// shows its order.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let inbox = Resource::new(|| (), |_| get_notifications());
    if let Some(live) = use_live_updates() {
        Effect::new(move |_| {
            if live.notifications.get() > 0 {
                inbox.refetch();
            }
        });
    }
    let refresh_badges = badge_refresher();
    let navigate = use_navigate();
    // Answers the order to show once the notification is marked read.
    let open = Action::new(move |&(id, order_id): &(i64, Option<i64>)| async move {
        read_notification(id).await.map(|()| order_id)
    });
    Effect::new(move |_| {
        if let Some(Ok(order_id)) = open.value().get() {
            refresh_badges();
            if let Some(order_id) = order_id {
                navigate(&format!("/order/{order_id}"), Default::default());
            }
        }
    });
    view! {
        <Title text="Notifications"/>
        <section class="notifications">
            <header class="page-header"><h1>"Notifications"</h1></header>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match inbox.await {
                        Ok(inbox) if inbox.notifications.is_empty() => {
                            view! { <p class="empty">"No notifications."</p> }.into_any()
                        }
                        Ok(inbox) => view! {
                            <ul class="notification-list">
                                {inbox.notifications.into_iter().map(|notification| {
                                    let target = (notification.id, notification.order_id);
                                    view! {
                                        <li class:unread=!notification.read data-testid="notification">
                                            <button type="button" class="link"
                                                on:click=move |_| { open.dispatch(target); }>
                                                {notification.message}
                                            </button>
                                            <span class="muted"><When at=notification.created_at.clone()/></span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
