//! `/service-desk`: the service desk's start page, for `service_desk` and `admin` accounts.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::service_desk::get_service_desk_home;
use crate::components::form::when_loaded;

/// `/service-desk`: the work waiting in each queue.
#[component]
pub fn ServiceDeskPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_service_desk_home());
    when_loaded(data, move |home| {
        view! {
                        <Title text="Service desk" />
                        <span class="nhsuk-caption-l">{home.name.clone()}</span>
                        <h1 class="nhsuk-heading-l">"Service desk"</h1>
                        <table class="nhsuk-table">
                            <caption class="nhsuk-table__caption">"Applications waiting for a decision"</caption>
                            <thead class="nhsuk-table__head">
                                <tr class="nhsuk-table__row">
                                    <th class="nhsuk-table__header" scope="col">"Queue"</th>
                                    <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Waiting"</th>
                                </tr>
                            </thead>
                            <tbody class="nhsuk-table__body">
                                <QueueRow name="Mailbox applications" count=home.mailbox_applications />
                                <QueueRow name="MESH UI account applications" count=home.account_applications />
                                <QueueRow name="Workflow ID requests" count=home.workflow_requests />
                            </tbody>
                        </table>
                    }
                    .into_any()
    })
}

#[component]
fn QueueRow(name: &'static str, count: i64) -> impl IntoView {
    view! {
        <tr class="nhsuk-table__row">
            <th class="nhsuk-table__header" scope="row">{name}</th>
            <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{count}</td>
        </tr>
    }
}
