use crate::api::Login;
use leptos::prelude::*;
use leptos_meta::Title;

/// Sign-in form; works with and without JavaScript.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || {
        login
            .value()
            .get()
            .and_then(|result| result.err())
            .map(|error| error.message)
    };
    view! {
        <Title text="Sign in"/>
        <main class="standalone login">
            <h1>"Ordering Portal"</h1>
            <p class="lead">"Sign in to follow and manage your orders."</p>
            <ActionForm action=login attr:class="card form" attr:aria-label="Sign in">
                <label for="email">"E-mail"</label>
                <input id="email" type="email" name="email" autocomplete="username" required/>
                <label for="password">"Password"</label>
                <input id="password" type="password" name="password" autocomplete="current-password" required/>
                {move || error().map(|message| view! {
                    <p class="error" role="alert" data-testid="login-error">{message}</p>
                })}
                <button type="submit" class="button primary" disabled=move || login.pending().get()>
                    {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </main>
    }
}
