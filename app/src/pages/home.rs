//! `/`: the start page.

use leptos::prelude::*;
use leptos_meta::Title;

/// What the service is and where to start.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home" />
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 class="nhsuk-heading-xl">"MESH portal"</h1>
                <p class="nhsuk-lede-text">
                    "Use this service to find MESH workflow IDs, apply for MESH mailboxes and "
                    "MESH user interface accounts, and send and collect files through your "
                    "organisation's mailboxes."
                </p>
                <p>
                    "MESH (Message Exchange for Social Care and Health) moves files securely "
                    "between health and care organisations. Every message carries a workflow ID "
                    "that says what kind of data it holds."
                </p>
                <h2 class="nhsuk-heading-m">"Find a workflow ID"</h2>
                <p>
                    "Search the catalogue by workflow ID, workflow group or description, for "
                    "example CRDLGY_SCANS or cardiology. You do not need to sign in."
                </p>
                <a class="nhsuk-button" href="/workflows" role="button" draggable="false">
                    "Search workflow IDs"
                </a>
                <h2 class="nhsuk-heading-m">"Find an ODS code"</h2>
                <p>
                    "Every organisation that uses MESH has an Organisation Data Service (ODS) code. "
                    <a href="/organisations">"Find an organisation's ODS code"</a>
                    " by its name, town or postcode."
                </p>
                <h2 class="nhsuk-heading-m">"Send and collect files"</h2>
                <p>
                    "If you have a MESH UI account, log in with your PIN and a security code from "
                    "your authenticator app. If you do not have one yet, "
                    <a href="/apply/account">"apply for a MESH UI account"</a> "."
                </p>
                <a class="nhsuk-button nhsuk-button--login" href="/sign-in" role="button" draggable="false">
                    "Log in"
                </a>
                <h2 class="nhsuk-heading-m">"Before you start"</h2>
                <p>
                    "To use MESH you need an email address ending in @nhs.net, @nhs.uk or "
                    "@gov.uk. Over the Health and Social Care Network (HSCN) you can send files "
                    "up to 100MB; over the internet, files up to 50MB and no test files."
                </p>
            </div>
        </div>
    }
}
