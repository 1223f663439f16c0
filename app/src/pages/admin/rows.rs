//! The rows and forms of the administration pages: each change is one
//! server function, and `changed` tells the page to fetch its list again.

use crate::api::{
    admin_create_company, admin_create_user, admin_update_company, admin_update_user,
    find_companies,
};
use crate::api_error::ApiError;
use crate::components::company_choices::{CompanyDatalist, company_choices, named};
use crate::model::{AdminUser, CompanyInfo};
use crate::pages::action_error;
use crate::rules::Group;
use leptos::prelude::*;

/// One change to a company, as the row's controls make it.
#[derive(Debug, Clone, Default)]
struct CompanyEdit {
    name: Option<String>,
    has_account: Option<bool>,
    enable_cancel_order: Option<bool>,
}

/// A company with its flags and a rename form; its name links to its page.
#[component]
pub fn CompanyRow(company: CompanyInfo, changed: Callback<()>) -> impl IntoView {
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
            <th scope="row"><a href=format!("/admin/companies/{id}")>{name.clone()}</a></th>
            <td>
                <form class="rename" aria-label=format!("Rename {name}") on:submit=move |event| {
                    event.prevent_default();
                    update.dispatch(CompanyEdit { name: Some(new_name.get_untracked()), ..CompanyEdit::default() });
                }>
                    <input required maxlength="200" aria-label=format!("Name of {name}")
                        prop:value=new_name on:input=move |event| new_name.set(event_target_value(&event))/>
                    <button type="submit" class="button secondary">"Rename"</button>
                </form>
            </td>
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

/// A user with their group, access and a new-password form.
#[component]
pub fn UserRow(user: AdminUser, changed: Callback<()>) -> impl IntoView {
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
    let asked = RwSignal::new(false);
    let form_label = format!("Set the password of {}", user.email);
    let input_label = format!("New password for {}", user.email);
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
            <td>{match user.company {
                Some(company) => view! { <a href=format!("/admin/companies/{}", company.id)>{company.name}</a> }.into_any(),
                None => "FTS".into_any(),
            }}</td>
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
                // Rendered when asked for: a form in every row would double
                // the page.
                <button type="button" class="button link" aria-expanded=move || asked.get().to_string()
                    on:click=move |_| asked.update(|asked| *asked = !*asked)>
                    {format!("Change the password of {}", user.email)}
                </button>
                <Show when=move || asked.get()>
                    <form class="inline-form set-password" aria-label=form_label.clone()
                        on:submit=move |event| {
                            event.prevent_default();
                            set_password.dispatch(password.get_untracked());
                        }>
                        <input type="password" autocomplete="new-password" minlength="8" required
                            aria-label=input_label.clone()
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
                </Show>
            </td>
        </tr>
    }
}

#[component]
pub fn NewCompanyForm(changed: Callback<()>) -> impl IntoView {
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

/// The company a new customer joins: fixed on a company's page (its id),
/// found by name on the users page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewUserCompany {
    Fixed(i64),
    ByName,
}

/// The company named exactly `name` (any case), looked up when the form is
/// sent: the names offered are only a help while typing.
async fn company_named(name: String) -> Result<Option<i64>, ApiError> {
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Ok(None);
    }
    let choices = find_companies(name.clone()).await?;
    named(&choices, &name)
        .map(Some)
        .ok_or_else(|| ApiError::new("not_found", format!("There is no company named {name}.")))
}

#[component]
pub fn NewUserForm(company: NewUserCompany, changed: Callback<()>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let group = RwSignal::new(Group::CustomerUser);
    let company_name = RwSignal::new(String::new());
    let fixed = match company {
        NewUserCompany::Fixed(id) => Some(id),
        NewUserCompany::ByName => None,
    };
    let create = Action::new(move |_: &()| {
        let group = group.get_untracked();
        let (email, name, password) = (
            email.get_untracked(),
            name.get_untracked(),
            password.get_untracked(),
        );
        let typed_company = company_name.get_untracked();
        async move {
            let company_id = match (group.is_staff(), fixed) {
                (true, _) => None,
                (false, Some(id)) => Some(id),
                (false, None) => company_named(typed_company).await?,
            };
            admin_create_user(email, name, password, group, company_id).await
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            email.set(String::new());
            name.set(String::new());
            password.set(String::new());
            changed.run(());
        }
    });
    let groups: Vec<Group> = Group::ALL
        .into_iter()
        .filter(|option| fixed.is_none() || !option.is_staff())
        .collect();
    let company_field = match company {
        NewUserCompany::Fixed(_) => {
            view! { <p class="muted">"The new user joins this company."</p> }.into_any()
        }
        NewUserCompany::ByName => view! {
            <label for="user-company">"Company (customers)"</label>
            <input id="user-company" list="company-choices" autocomplete="off"
                disabled=move || group.get().is_staff()
                prop:value=company_name
                on:input=move |event| company_name.set(event_target_value(&event))/>
            <CompanyDatalist id="company-choices" choices=company_choices(company_name)/>
        }
        .into_any(),
    };
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
                {groups.into_iter().map(|option| view! {
                    <option value=option.as_str() selected=option == Group::CustomerUser>{option.label()}</option>
                }).collect_view()}
            </select>
            {company_field}
            <button type="submit" class="button primary">"Create user"</button>
            {action_error(create)}
        </form>
    }
}
