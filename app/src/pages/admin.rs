use super::{HiddenPage, action_error, error_message};
use crate::api::{
    admin_companies, admin_create_company, admin_create_user, admin_update_company,
    admin_update_user, admin_users,
};
use crate::components::WithPermission;
use crate::model::{AdminUser, CompanyInfo};
use crate::rules::{Group, Permission};
use leptos::prelude::*;
use leptos_meta::Title;

/// Administration for FTS administrators: companies and their flags, users
/// and their groups. For anyone else the page does not exist.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <WithPermission
            permission=Permission::AdminCompanies
            fallback=HiddenPage
        >
            <Administration/>
        </WithPermission>
    }
}

#[component]
fn Administration() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let companies = Resource::new(move || version.get(), |_| admin_companies());
    let users = Resource::new(move || version.get(), |_| admin_users());
    let changed = Callback::new(move |_| version.update(|version| *version += 1));
    view! {
        <Title text="Administration"/>
        <section class="admin">
            <header class="page-header"><h1>"Administration"</h1></header>
            <section class="panel" aria-labelledby="companies-heading">
                <h2 id="companies-heading">"Companies"</h2>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match companies.await {
                            Ok(companies) => view! {
                            <table class="table">
                                <thead><tr><th scope="col">"Company"</th><th scope="col">"Account billing"</th><th scope="col">"Customers may cancel"</th></tr></thead>
                                <tbody>
                                    {companies.into_iter().map(|company| view! { <CompanyRow company changed/> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                            Err(error) => error_view(&error),
                        }
                    })}
                </Transition>
                <NewCompanyForm changed/>
            </section>
            <section class="panel" aria-labelledby="users-heading">
                <h2 id="users-heading">"Users"</h2>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let companies = companies.await.unwrap_or_default();
                        match users.await {
                            Ok(users) => view! {
                            <table class="table">
                                <thead><tr><th scope="col">"User"</th><th scope="col">"Company"</th><th scope="col">"Group"</th><th scope="col">"Access"</th></tr></thead>
                                <tbody>
                                    {users.into_iter().map(|user| view! { <UserRow user changed/> }).collect_view()}
                                </tbody>
                            </table>
                            <NewUserForm companies changed/>
                        }.into_any(),
                            Err(error) => error_view(&error),
                        }
                    })}
                </Transition>
            </section>
        </section>
    }
}

fn error_view(error: &ServerFnError) -> AnyView {
    view! { <p class="error" role="alert">{error_message(error)}</p> }.into_any()
}

/// One change to a company, as the row's controls make it.
#[derive(Debug, Clone, Default)]
struct CompanyEdit {
    name: Option<String>,
    has_account: Option<bool>,
    enable_cancel_order: Option<bool>,
}

#[component]
fn CompanyRow(company: CompanyInfo, changed: Callback<()>) -> impl IntoView {
    let id = company.id;
    let update = Action::new(move |change: &CompanyEdit| {
        admin_update_company(
            id,
            change.name.clone(),
            change.has_account,
            change.enable_cancel_order,
        )
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = update.value().get() {
            changed.run(());
        }
    });
    let name = company.name.clone();
    let new_name = RwSignal::new(company.name.clone());
    view! {
        <tr>
            <th scope="row">
                <form class="rename" aria-label=format!("Rename {name}") on:submit=move |event| {
                    event.prevent_default();
                    update.dispatch(CompanyEdit { name: Some(new_name.get_untracked()), ..CompanyEdit::default() });
                }>
                    <input required maxlength="200" aria-label=format!("Name of {name}")
                        prop:value=new_name on:input=move |event| new_name.set(event_target_value(&event))/>
                    <button type="submit" class="button secondary">"Rename"</button>
                </form>
            </th>
            <td><input type="checkbox" prop:checked=company.has_account
                aria-label=format!("Account billing for {name}")
                on:change=move |event| {
                    update.dispatch(CompanyEdit { has_account: Some(event_target_checked(&event)), ..CompanyEdit::default() });
                }/></td>
            <td><input type="checkbox" prop:checked=company.enable_cancel_order
                aria-label=format!("Customers of {} may cancel", company.name)
                on:change=move |event| {
                    update.dispatch(CompanyEdit { enable_cancel_order: Some(event_target_checked(&event)), ..CompanyEdit::default() });
                }/>
                {action_error(update)}</td>
        </tr>
    }
}

#[component]
fn UserRow(user: AdminUser, changed: Callback<()>) -> impl IntoView {
    let id = user.id;
    let update = Action::new(move |(group, disabled): &(Option<Group>, Option<bool>)| {
        admin_update_user(id, *group, *disabled, None)
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = update.value().get() {
            changed.run(());
        }
    });
    let password = RwSignal::new(String::new());
    let set_password = Action::new(move |password: &String| {
        admin_update_user(id, None, None, Some(password.clone()))
    });
    let password_set = move || matches!(set_password.value().get(), Some(Ok(_)));
    Effect::new(move |_| {
        if password_set() {
            password.set(String::new());
        }
    });
    let staff = user.group.is_staff();
    let disabled = user.disabled;
    let groups: Vec<Group> = Group::ALL
        .into_iter()
        .filter(|group| group.is_staff() == staff)
        .collect();
    view! {
        <tr class:disabled=disabled data-email=user.email.clone()>
            <th scope="row">{user.name.clone()} <span class="muted">{format!(" {}", user.email)}</span></th>
            <td>{user.company.map(|company| company.name).unwrap_or_else(|| "FTS".to_owned())}</td>
            <td>
                <select aria-label=format!("Group of {}", user.email)
                    on:change=move |event| {
                        if let Ok(group) = event_target_value(&event).parse::<Group>() {
                            update.dispatch((Some(group), None));
                        }
                    }>
                    {groups.into_iter().map(|group| view! {
                        <option value=group.as_str() selected=group == user.group>{group.label()}</option>
                    }).collect_view()}
                </select>
            </td>
            <td>
                <button type="button" class="button secondary"
                    on:click=move |_| { update.dispatch((None, Some(!disabled))); }>
                    {if disabled { format!("Enable {}", user.email) } else { format!("Disable {}", user.email) }}
                </button>
                {action_error(update)}
                <form class="inline-form set-password" aria-label=format!("Set the password of {}", user.email)
                    on:submit=move |event| {
                        event.prevent_default();
                        set_password.dispatch(password.get_untracked());
                    }>
                    <input type="password" autocomplete="new-password" minlength="8" required
                        aria-label=format!("New password for {}", user.email)
                        prop:value=password
                        on:input=move |event| password.set(event_target_value(&event))/>
                    <button type="submit" class="button secondary" disabled=move || set_password.pending().get()>
                        "Set password"
                    </button>
                    <Show when=password_set>
                        <span class="muted" role="status">"Password set."</span>
                    </Show>
                    {action_error(set_password)}
                </form>
            </td>
        </tr>
    }
}

#[component]
fn NewCompanyForm(changed: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let account = RwSignal::new(false);
    let cancel = RwSignal::new(true);
    let create = Action::new(move |(name, account, cancel): &(String, bool, bool)| {
        admin_create_company(name.clone(), *account, *cancel)
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            changed.run(());
        }
    });
    view! {
        <form class="form inline-form" aria-label="New company" on:submit=move |event| {
            event.prevent_default();
            create.dispatch((name.get_untracked(), account.get_untracked(), cancel.get_untracked()));
        }>
            <label for="company-name">"New company"</label>
            <input id="company-name" required maxlength="200" prop:value=name
                on:input=move |event| name.set(event_target_value(&event))/>
            <label class="checkbox"><input type="checkbox" prop:checked=account
                on:change=move |event| account.set(event_target_checked(&event))/>" Account billing"</label>
            <label class="checkbox"><input type="checkbox" prop:checked=cancel
                on:change=move |event| cancel.set(event_target_checked(&event))/>" Customers may cancel"</label>
            <button type="submit" class="button secondary">"Add company"</button>
            {action_error(create)}
        </form>
    }
}

#[component]
fn NewUserForm(companies: Vec<CompanyInfo>, changed: Callback<()>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let group = RwSignal::new(Group::CustomerUser);
    let company = RwSignal::new(companies.first().map(|company| company.id));
    let create = Action::new(move |_: &()| {
        let group = group.get_untracked();
        admin_create_user(
            email.get_untracked(),
            name.get_untracked(),
            password.get_untracked(),
            group,
            if group.is_staff() {
                None
            } else {
                company.get_untracked()
            },
        )
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            email.set(String::new());
            name.set(String::new());
            password.set(String::new());
            changed.run(());
        }
    });
    view! {
        <form class="form inline-form" aria-label="New user" on:submit=move |event| {
            event.prevent_default();
            create.dispatch(());
        }>
            <h3>"New user"</h3>
            <label for="user-email">"E-mail"</label>
            <input id="user-email" type="email" required prop:value=email on:input=move |event| email.set(event_target_value(&event))/>
            <label for="user-name">"Name"</label>
            <input id="user-name" required prop:value=name on:input=move |event| name.set(event_target_value(&event))/>
            <label for="user-password">"Password (at least 8 characters)"</label>
            <input id="user-password" type="password" autocomplete="new-password" required minlength="8"
                prop:value=password on:input=move |event| password.set(event_target_value(&event))/>
            <label for="user-group">"Group"</label>
            <select id="user-group" on:change=move |event| {
                if let Ok(chosen) = event_target_value(&event).parse::<Group>() {
                    group.set(chosen);
                }
            }>
                {Group::ALL.into_iter().map(|option| view! {
                    <option value=option.as_str() selected=option == Group::CustomerUser>{option.label()}</option>
                }).collect_view()}
            </select>
            <label for="user-company">"Company (customers)"</label>
            <select id="user-company" disabled=move || group.get().is_staff()
                on:change=move |event| company.set(event_target_value(&event).parse().ok())>
                {companies.into_iter().map(|option| view! {
                    <option value=option.id.to_string()>{option.name}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="button primary">"Create user"</button>
            {action_error(create)}
        </form>
    }
}
