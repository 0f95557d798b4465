//! `/apply/…`: the applications an organisation makes without signing in.

mod account;
mod mailbox;

pub use account::{
    AccountAccessPage, AccountCheckPage, AccountConfirmationPage, AccountEmailPage,
    AccountMailboxesPage, AccountNamePage, AccountOrganisationPage, AccountReasonPage,
    AccountStartPage,
};
pub use mailbox::{
    MailboxCheckPage, MailboxConfirmationPage, MailboxContactPage, MailboxEnvironmentPage,
    MailboxFileSizePage, MailboxOrganisationPage, MailboxStartPage, MailboxWorkflowsPage,
};

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::applications::get_application_drafts;
use crate::model::applications::Drafts;

/// `/apply`: the applications, and how to follow one.
#[component]
pub fn ApplyPage() -> impl IntoView {
    view! {
        <Title text="Apply" />
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 class="nhsuk-heading-xl">"Apply"</h1>
                <p class="nhsuk-lede-text">"You do not need to sign in to apply."</p>
                <ul class="nhsuk-list">
                    <li>
                        <h2 class="nhsuk-heading-m"><a href="/apply/mailbox">"Apply for a MESH mailbox"</a></h2>
                        <p>"For an organisation that needs to send or receive files through MESH."</p>
                    </li>
                    <li>
                        <h2 class="nhsuk-heading-m"><a href="/apply/account">"Apply for a MESH UI account"</a></h2>
                        <p>"For a person who will use one of their organisation's mailboxes through this website."</p>
                    </li>
                    <li>
                        <h2 class="nhsuk-heading-m"><a href="/workflows/request">"Ask for a new workflow ID"</a></h2>
                        <p>"When no workflow ID in the catalogue fits the data you exchange."</p>
                    </li>
                </ul>
                <p>
                    "To follow an application, use the link in its confirmation email, or go to "
                    <code>"/applications/"</code> " followed by its reference."
                </p>
            </div>
        </div>
    }
}

/// The start button, or "continue" when answers are already kept for this browser.
#[component]
fn DraftNotice(in_progress: bool, continue_to: &'static str, start: &'static str) -> impl IntoView {
    if in_progress {
        view! {
            <div class="nhsuk-inset-text">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>"You have an application in progress in this browser. Your answers are kept for 24 hours after you last used them."</p>
            </div>
            <a class="nhsuk-button" href=continue_to role="button" draggable="false">
                "Continue your application"
            </a>
        }
        .into_any()
    } else {
        view! {
            <a class="nhsuk-button nhsuk-button--login" href=start role="button" draggable="false">
                "Start now"
            </a>
        }
        .into_any()
    }
}

/// Forgets the answers of an application in progress.
#[component]
fn StartAgain(application: &'static str) -> impl IntoView {
    view! {
        <form method="post" action="/apply/start-again">
            <input type="hidden" name="application" value=application />
            <button class="nhsuk-button nhsuk-button--secondary" type="submit">
                "Delete my answers and start again"
            </button>
        </form>
    }
}

/// The confirmation page: the reference of the application just sent from this browser.
#[component]
pub(crate) fn Confirmation(
    title: &'static str,
    pick: fn(&Drafts) -> Option<String>,
    start: &'static str,
    next: &'static str,
) -> impl IntoView {
    let drafts = Resource::new(|| (), |_| get_application_drafts());
    view! {
        <Title text=title />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let reference = drafts.await.ok().and_then(|(d, _)| pick(&d));
                match reference {
                    Some(reference) => view! {
                        <div class="nhsuk-panel nhsuk-panel--confirmation">
                            <h1 class="nhsuk-panel__title">{title}</h1>
                            <div class="nhsuk-panel__body">
                                "Your reference is" <br />
                                <strong class="app-reference">{reference.clone()}</strong>
                            </div>
                        </div>
                        <p>"We have sent a confirmation email with this reference and a summary of your answers."</p>
                        <h2 class="nhsuk-heading-m">"What happens next"</h2>
                        <p>{next}</p>
                        <p>
                            <a href=format!("/applications/{reference}")>"Check the progress of your application"</a>
                            " with the reference and the email address you gave."
                        </p>
                    }
                    .into_any(),
                    None => view! {
                        <h1 class="nhsuk-heading-l">"No application sent from this browser"</h1>
                        <p>
                            "We could not find an application sent from this browser in the last 24 hours. "
                            <a href=start>"Start an application"</a>
                            ", or check one you sent with the reference in your confirmation email."
                        </p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}
