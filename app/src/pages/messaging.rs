//! `/mailboxes` and `/mailboxes/{mailbox_id}`: a mailbox user's mailboxes.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::messaging::{get_mailbox, get_my_mailboxes};
use crate::components::Tag;
use crate::components::form::when_loaded;
use crate::model::accounts::sign_in::paths;
use crate::model::messaging::MailboxSummary;

/// `/mailboxes`: the mailboxes linked to the signed-in person.
#[component]
pub fn MailboxesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_my_mailboxes());
    when_loaded(data, move |loaded| {
        match loaded {
                    mailboxes if mailboxes.is_empty() => view! {
                        <Title text="Your mailboxes" />
                        <h1 class="nhsuk-heading-l">"Your mailboxes"</h1>
                        <p>"No mailboxes are linked to your account yet. Ask the service desk to link the mailboxes you use."</p>
                    }
                    .into_any(),
                    mailboxes => view! {
                        <Title text="Your mailboxes" />
                        <h1 class="nhsuk-heading-l">"Your mailboxes"</h1>
                        <table class="nhsuk-table">
                            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Mailboxes linked to your account"</caption>
                            <thead class="nhsuk-table__head">
                                <tr class="nhsuk-table__row">
                                    <th class="nhsuk-table__header" scope="col">"Mailbox ID"</th>
                                    <th class="nhsuk-table__header" scope="col">"Organisation"</th>
                                    <th class="nhsuk-table__header" scope="col">"Environment"</th>
                                    <th class="nhsuk-table__header" scope="col">"Status"</th>
                                </tr>
                            </thead>
                            <tbody class="nhsuk-table__body">
                                {mailboxes.into_iter().map(|m| view! {
                                    <tr class="nhsuk-table__row">
                                        <td class="nhsuk-table__cell">
                                            <a href=paths::mailbox(&m.mailbox_id)>{m.mailbox_id.clone()}</a>
                                        </td>
                                        <td class="nhsuk-table__cell">{format!("{} ({})", m.organisation_name, m.ods_code)}</td>
                                        <td class="nhsuk-table__cell">{m.environment.clone()}</td>
                                        <td class="nhsuk-table__cell"><StatusTag mailbox=m.clone() /></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any(),
    }
    })
}

/// `/mailboxes/{mailbox_id}`: one mailbox, for the people linked to it.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let mailbox_id = use_params_map().with_untracked(|p| p.get("mailbox_id").unwrap_or_default());
    let data = Resource::new(move || mailbox_id.clone(), get_mailbox);
    when_loaded(data, move |m| {
        view! {
                        <Title text=format!("Mailbox {}", m.mailbox_id) />
                        <span class="nhsuk-caption-l">{format!("{} ({})", m.organisation_name, m.ods_code)}</span>
                        <h1 class="nhsuk-heading-l">{format!("Mailbox {}", m.mailbox_id)}</h1>
                        <dl class="nhsuk-summary-list">
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Mailbox ID"</dt>
                                <dd class="nhsuk-summary-list__value">{m.mailbox_id.clone()}</dd>
                            </div>
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Organisation"</dt>
                                <dd class="nhsuk-summary-list__value">{format!("{} ({})", m.organisation_name, m.ods_code)}</dd>
                            </div>
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Environment"</dt>
                                <dd class="nhsuk-summary-list__value">{m.environment.clone()}</dd>
                            </div>
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Status"</dt>
                                <dd class="nhsuk-summary-list__value"><StatusTag mailbox=m.clone() /></dd>
                            </div>
                        </dl>
                        <p><a href=paths::MAILBOXES>"All your mailboxes"</a></p>
                    }
                    .into_any()
    })
}

#[component]
fn StatusTag(mailbox: MailboxSummary) -> impl IntoView {
    if mailbox.active {
        view! { <Tag text="Active" colour="green" /> }
    } else {
        view! { <Tag text="Not active" colour="grey" /> }
    }
}
