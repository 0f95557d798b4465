//! `/apply/account/…`: the MESH UI account application, one topic per page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Confirmation, DraftNotice, StartAgain};
use crate::api::applications::get_application_drafts;
use crate::components::form::{
    Choice, Choices, PostForm, QuestionPage, SummaryRow, TextArea, TextInput,
};
use crate::model::applications::account::{AccountDraft, paths};
use crate::model::catalogue::encode_query_value;
use crate::model::common::AccessRoute;

const CAPTION: &str = "Apply for a MESH UI account";

/// `/apply/account`: who needs an account and what the application asks.
#[component]
pub fn AccountStartPage() -> impl IntoView {
    let drafts = Resource::new(|| (), |_| get_application_drafts());
    view! {
        <Title text=CAPTION />
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 class="nhsuk-heading-xl">{CAPTION}</h1>
                <p class="nhsuk-lede-text">
                    "Apply for an account to send and collect files through the MESH website, using "
                    "a mailbox your organisation already has."
                </p>
                <p>"You will need:"</p>
                <ul class="nhsuk-list nhsuk-list--bullet">
                    <li>"your organisation's ODS code and the Mailbox IDs you will use"</li>
                    <li>"a work email address ending in @nhs.net, @nhs.uk or @gov.uk"</li>
                    <li>"if you connect over HSCN, your smartcard, with the R8015 activity code"</li>
                </ul>
                <p>
                    "Each person needs their own account. If several people would share one "
                    "mailbox all day, MESH client or the MESH API may suit your organisation better."
                </p>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let in_progress = drafts
                            .await
                            .map(|(d, _)| d.account != AccountDraft::default())
                            .unwrap_or(false);
                        view! {
                            <DraftNotice in_progress continue_to=paths::CHECK start=paths::ORGANISATION />
                            {in_progress.then(|| view! { <StartAgain application="account" /> })}
                        }
                    })}
                </Suspense>
            </div>
        </div>
    }
}

/// `/apply/account/organisation`.
#[component]
pub fn AccountOrganisationPage() -> impl IntoView {
    let query = use_query_map();
    let from_finder = query.with_untracked(|q| q.get("ods_code"));
    view! {
        <QuestionPage
            title="What is your organisation's ODS code?"
            caption=CAPTION
            back=paths::START
            body=move |drafts| {
                let draft = drafts.account;
                let stored = from_finder
                    .clone()
                    .or_else(|| draft.organisation.as_ref().map(|o| o.ods_code.clone()))
                    .unwrap_or_default();
                view! {
                    {draft.organisation.clone().map(|o| view! {
                        <div class="nhsuk-inset-text">
                            <span class="nhsuk-u-visually-hidden">"Information: "</span>
                            <p>"Organisation found: " <strong>{o.name}</strong> {format!(" ({})", o.ods_code)}</p>
                        </div>
                    })}
                    <PostForm path=paths::ORGANISATION button="Continue">
                        <TextInput
                            name="ods_code"
                            label="ODS code"
                            hint="The organisation that owns the mailbox, for example X26 or RR8"
                            stored
                            width="nhsuk-input--width-10"
                            code=true
                        />
                        <p>
                            <a href=format!("/organisations?return={}", encode_query_value(paths::ORGANISATION))>
                                "Find your organisation's ODS code"
                            </a>
                        </p>
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/account/mailboxes`.
#[component]
pub fn AccountMailboxesPage() -> impl IntoView {
    view! {
        <QuestionPage
            title="Which mailboxes will you use?"
            caption=CAPTION
            back=paths::ORGANISATION
            body=|drafts| {
                let stored = drafts.account.mailbox_ids.join(", ");
                view! {
                    <PostForm path=paths::MAILBOXES button="Continue">
                        <TextInput
                            name="mailbox_ids"
                            label="Mailbox IDs"
                            hint="As in the email that gave your organisation the mailbox, for example X26HC005. Separate several with commas."
                            stored
                            code=true
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/account/name`.
#[component]
pub fn AccountNamePage() -> impl IntoView {
    view! {
        <QuestionPage
            title="What is your name?"
            caption=CAPTION
            back=paths::MAILBOXES
            body=|drafts| {
                let d = drafts.account;
                view! {
                    <PostForm path=paths::NAME button="Continue">
                        <TextInput
                            name="first_name"
                            label="First name"
                            stored=d.first_name.unwrap_or_default()
                            autocomplete="given-name"
                            width="nhsuk-input--width-20"
                        />
                        <TextInput
                            name="last_name"
                            label="Last name"
                            stored=d.last_name.unwrap_or_default()
                            autocomplete="family-name"
                            width="nhsuk-input--width-20"
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/account/email`.
#[component]
pub fn AccountEmailPage() -> impl IntoView {
    view! {
        <QuestionPage
            title="What is your work email address?"
            caption=CAPTION
            back=paths::NAME
            body=|drafts| {
                view! {
                    <PostForm path=paths::EMAIL button="Continue">
                        <TextInput
                            name="email"
                            label="Work email address"
                            hint="Your own address, ending in @nhs.net, @nhs.uk or @gov.uk. We send your account details here."
                            stored=drafts.account.email.unwrap_or_default()
                            input_type="email"
                            autocomplete="email"
                            code=true
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/account/access`: HSCN with a smartcard, or the internet with an authenticator app.
#[component]
pub fn AccountAccessPage() -> impl IntoView {
    view! {
        <QuestionPage
            title="How will you connect to MESH?"
            caption=CAPTION
            back=paths::EMAIL
            body=|drafts| {
                let d = drafts.account;
                let stored = d.access_route.map(|r| vec![r.as_str().to_owned()]).unwrap_or_default();
                let choices = AccessRoute::ALL
                    .iter()
                    .map(|r| Choice { value: r.as_str(), label: r.label(), hint: r.hint() })
                    .collect();
                let had_r8015 = d.access_route == Some(AccessRoute::Hscn);
                view! {
                    <PostForm path=paths::ACCESS button="Continue">
                        <Choices
                            name="access_route"
                            legend="Connection"
                            hint="HSCN is the Health and Social Care Network. Over the internet you sign in with an authenticator app."
                            choices
                            stored
                        />
                        <h2 class="nhsuk-heading-s">"If you connect over HSCN"</h2>
                        <TextInput
                            name="smartcard_number"
                            label="Smartcard number"
                            hint="The 12-digit number on the front of your smartcard"
                            stored=d.smartcard_number.unwrap_or_default()
                            width="nhsuk-input--width-20"
                            code=true
                        />
                        <Choices
                            name="r8015"
                            legend="R8015 activity code"
                            hint="Your Registration Authority manager adds the R8015 activity code to your smartcard role."
                            choices=vec![Choice {
                                value: "confirmed",
                                label: "My smartcard has the R8015 activity code",
                                hint: "",
                            }]
                            stored=if had_r8015 { vec!["confirmed".to_owned()] } else { Vec::new() }
                            multiple=true
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/account/reason`.
#[component]
pub fn AccountReasonPage() -> impl IntoView {
    view! {
        <QuestionPage
            title="Why do you need access to MESH?"
            caption=CAPTION
            back=paths::ACCESS
            body=|drafts| {
                view! {
                    <PostForm path=paths::REASON button="Continue">
                        <TextArea
                            name="reason"
                            label="Reason for access"
                            hint=REASON_HINT
                            stored=drafts.account.reason.unwrap_or_default()
                        />
                    </PostForm>
                }
            }
        />
    }
}

/// Kept in step with `REASON_MAX_CHARS` by the test below.
const REASON_HINT: &str = "What you send or collect, and how often. Do not include patient data. 1000 characters at most.";

/// `/apply/account/check-answers`.
#[component]
pub fn AccountCheckPage() -> impl IntoView {
    view! {
        <QuestionPage
            title="Check your answers before sending your application"
            caption=CAPTION
            back=paths::REASON
            body=|drafts| {
                let d = drafts.account;
                let organisation = d.organisation.as_ref().map(|o| format!("{}\n{}", o.name, o.ods_code)).unwrap_or_default();
                let name = match (&d.first_name, &d.last_name) {
                    (Some(f), Some(l)) => format!("{f} {l}"),
                    _ => String::new(),
                };
                let route = match d.access_route {
                    Some(AccessRoute::Hscn) => format!(
                        "{}\nSmartcard {}\nR8015 activity code confirmed",
                        AccessRoute::Hscn.label(),
                        d.smartcard_number.clone().unwrap_or_default()
                    ),
                    Some(other) => other.label().to_owned(),
                    None => String::new(),
                };
                view! {
                    <dl class="nhsuk-summary-list">
                        <SummaryRow key="Organisation" value=organisation change=paths::ORGANISATION what="organisation" />
                        <SummaryRow key="Mailbox IDs" value=d.mailbox_ids.join("\n") change=paths::MAILBOXES what="mailbox IDs" />
                        <SummaryRow key="Name" value=name change=paths::NAME what="name" />
                        <SummaryRow key="Work email" value=d.email.clone().unwrap_or_default() change=paths::EMAIL what="work email address" />
                        <SummaryRow key="Connection" value=route change=paths::ACCESS what="connection" />
                        <SummaryRow key="Reason for access" value=d.reason.clone().unwrap_or_default() change=paths::REASON what="reason for access" />
                    </dl>
                    <h2 class="nhsuk-heading-m">"Now send your application"</h2>
                    <p>"By sending it you confirm that the details are correct and that the account is for you alone."</p>
                    <PostForm path=paths::CHECK button="Send application">
                        <input type="hidden" name="confirm" value="1" />
                    </PostForm>
                }
            }
        />
    }
}

/// `/apply/account/confirmation`.
#[component]
pub fn AccountConfirmationPage() -> impl IntoView {
    view! {
        <Confirmation
            title="Application sent"
            pick=|d| d.sent_account.clone()
            start=paths::START
            next="The service desk checks your application, usually within 5 working days. When it \
                  is approved, you get an email with a link to set up your PIN and sign in."
        />
    }
}

#[cfg(test)]
mod tests {
    use crate::model::applications::account::REASON_MAX_CHARS;

    #[test]
    fn the_reason_hint_states_the_real_limit() {
        assert!(super::REASON_HINT.contains(&REASON_MAX_CHARS.to_string()));
    }
}
