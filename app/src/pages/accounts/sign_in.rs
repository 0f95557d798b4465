//! `/sign-in`, `/sign-in/…` and `/sign-out`: "Log in with my Care Identity", the login method,
//! email and PIN, the security code, and logging out.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::{
    get_care_identity_problem, get_code_step, get_pin_form, get_sign_in_options, get_visitor,
};
use crate::components::form::{Choice, Choices, PostForm, TextInput, question_frame, when_loaded};
use crate::model::accounts::sign_in::{
    CodeStep, METHOD_CARE_IDENTITY, METHOD_PIN, RESEND_CODE, paths,
};
use crate::model::common::AccessRoute;

const CAPTION: &str = "Log in";

/// The route's words in sentences: "over HSCN", "over the internet".
pub fn route_words(route: AccessRoute) -> &'static str {
    match route {
        AccessRoute::Hscn => "HSCN (the Health and Social Care Network)",
        AccessRoute::Internet => "the internet",
    }
}

/// `/sign-in`: the start of logging in. The button leads to the choice of method when there is
/// one (Care Identity, or PIN for accounts kept local), and straight to email and PIN otherwise.
#[component]
pub fn SignInPage() -> impl IntoView {
    let options = Resource::new(|| (), |_| get_sign_in_options());
    let start = move || {
        options
            .get()
            .and_then(Result::ok)
            .map_or(paths::METHOD, |(options, _)| {
                if options.care_identity {
                    paths::METHOD
                } else {
                    paths::PIN
                }
            })
    };
    view! {
        <Title text="Log in to MESH portal" />
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 class="nhsuk-heading-xl">"Log in to MESH portal"</h1>
                <p class="nhsuk-lede-text">
                    "Send and collect files through your organisation's MESH mailbox, or work the "
                    "service desk's queues."
                </p>
                <Transition fallback=|| ()>
                    <a class="nhsuk-button nhsuk-button--login" href=start role="button" draggable="false">
                        "Log in with my Care Identity"
                    </a>
                </Transition>
                <h2 class="nhsuk-heading-m">"Before you start"</h2>
                <p>
                    "You need a MESH UI account. Where this service is connected to NHS Care "
                    "Identity, log in with your smartcard (over HSCN) or the authenticator app "
                    "linked to your Care Identity (over the internet)."
                </p>
                <p>
                    "Otherwise, and for accounts the service desk keeps on a PIN, you set up your "
                    "account with the link we emailed you, then log in with your PIN and a "
                    "security code from your authenticator app (or, over HSCN, by email)."
                </p>
                <p>
                    "If you do not have an account, " <a href="/apply/account">"apply for a MESH UI account"</a> "."
                </p>
                <p>
                    "If you have forgotten your PIN or lost your authenticator app, contact the "
                    "service desk. They will send you a new set-up link."
                </p>
            </div>
        </div>
    }
}

/// `/sign-in/method`: PIN and security code, or a smartcard where that is offered.
#[component]
pub fn SignInMethodPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_sign_in_options());
    when_loaded(data, move |(options, posted)| {
        question_frame(
            "How do you want to log in?",
            CAPTION,
            paths::SIGN_IN,
            posted,
            move || {
                let mut choices = Vec::new();
                if options.care_identity {
                    choices.push(Choice {
                        value: METHOD_CARE_IDENTITY,
                        label: "Care Identity",
                        hint: match options.route {
                            AccessRoute::Hscn => "Your NHS smartcard in a card reader, through NHS Care Identity Service",
                            AccessRoute::Internet => "The authenticator app linked to your Care Identity, through NHS Care Identity Service",
                        },
                    });
                }
                choices.push(Choice {
                    value: METHOD_PIN,
                    label: "PIN and security code",
                    hint: if options.care_identity {
                        "Only for accounts the service desk keeps on a PIN"
                    } else {
                        "A code from your authenticator app, or by email over HSCN"
                    },
                });
                let first = choices[0].value.to_owned();
                view! {
                    <p>"You are connected over " {route_words(options.route)} "."</p>
                    <PostForm path=paths::METHOD button="Continue">
                        <Choices
                            name="method"
                            legend="Login method"
                            choices
                            stored=vec![first]
                        />
                    </PostForm>
                }
            },
        )
    })
}

/// `/sign-in/pin`: work email address and PIN.
#[component]
pub fn SignInPinPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_pin_form());
    when_loaded(data, move |posted| {
        question_frame(
            "Enter your email address and PIN",
            CAPTION,
            paths::METHOD,
            posted,
            || {
                view! {
                    <PostForm path=paths::PIN button="Continue">
                        <TextInput
                            name="email"
                            label="Work email address"
                            stored=""
                            input_type="email"
                            autocomplete="username"
                            code=true
                        />
                        <TextInput
                            name="pin"
                            label="PIN"
                            hint="The 6 to 12 numbers you chose when you set up your account"
                            stored=""
                            input_type="password"
                            autocomplete="current-password"
                            inputmode="numeric"
                            width="nhsuk-input--width-10"
                            secret=true
                        />
                    </PostForm>
                    <p>
                        "Forgotten your PIN? Contact the service desk for a new set-up link."
                    </p>
                }
            },
        )
    })
}

/// `/sign-in/code`: the security code from the app, or the one emailed.
#[component]
pub fn SignInCodePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_code_step());
    when_loaded(data, move |loaded| {
        match loaded {
                    (CodeStep::Missing, _) => view! {
                        <Title text="Your login timed out" />
                        <h1 class="nhsuk-heading-l">"Your login timed out"</h1>
                        <p>"Enter your email address and PIN again. You have 10 minutes to enter the security code after your PIN."</p>
                        <a class="nhsuk-button" href=paths::PIN role="button" draggable="false">"Start again"</a>
                    }
                    .into_any(),
                    (step, posted) => {
                        let by_email = matches!(step, CodeStep::Email { .. });
                        let title = if by_email {
                            "Enter the security code we emailed you"
                        } else {
                            "Enter the security code from your authenticator app"
                        };
                        question_frame(title, CAPTION, paths::PIN, posted, move || view! {
                            {match &step {
                                CodeStep::Email { sent_to } => view! {
                                    <p>"We sent a 6-digit code to " <strong>{sent_to.clone()}</strong> ". It works once, for 10 minutes."</p>
                                }.into_any(),
                                _ => view! {
                                    <p>"Open the authenticator app you set up for MESH portal and enter the 6-digit code it shows now."</p>
                                }.into_any(),
                            }}
                            <PostForm path=paths::CODE full_load=true>
                                <TextInput
                                    name="code"
                                    label="Security code"
                                    hint="For example, 123456"
                                    stored=""
                                    autocomplete="one-time-code"
                                    inputmode="numeric"
                                    width="nhsuk-input--width-10"
                                    secret=true
                                />
                                <div class="nhsuk-button-group">
                                    <button class="nhsuk-button" type="submit" data-prevent-double-click="true">
                                        "Log in"
                                    </button>
                                    {by_email.then(|| view! {
                                        <button class="nhsuk-button nhsuk-button--secondary" type="submit" name=RESEND_CODE value="1">
                                            "Send a new code"
                                        </button>
                                    })}
                                </div>
                            </PostForm>
                        })
                    }
    }
    })
}

/// `/sign-in/set-up-complete`: the end of setting up an account.
#[component]
pub fn SetUpCompletePage() -> impl IntoView {
    view! {
        <Title text="Your account is set up" />
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <div class="nhsuk-panel nhsuk-panel--confirmation">
                    <h1 class="nhsuk-panel__title">"Your account is set up"</h1>
                </div>
                <p>"Log in now with your email address, your new PIN and a security code."</p>
                <p>"Keep your PIN to yourself. The service desk will never ask for it."</p>
                <a class="nhsuk-button nhsuk-button--login" href=paths::METHOD role="button" draggable="false">
                    "Log in with my Care Identity"
                </a>
            </div>
        </div>
    }
}

/// `/sign-in/cis2/callback`: where NHS Care Identity sends people back. A login that works goes
/// straight on to the person's first page; this page shows when it could not be completed, with
/// why and what to do (the server sets the 400 or 403).
#[component]
pub fn CareIdentityReturnPage() -> impl IntoView {
    let problem = Resource::new(|| (), |_| get_care_identity_problem());
    view! {
        <Title text="You could not log in with your Care Identity" />
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 class="nhsuk-heading-l">"You could not log in with your Care Identity"</h1>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let text = problem.await.ok().flatten().unwrap_or_else(|| {
                            "This login was not started here, or has been used already. Start again from the login page".to_owned()
                        });
                        view! {
                            <div class="nhsuk-warning-callout">
                                <h2 class="nhsuk-warning-callout__label">
                                    <span role="text">
                                        <span class="nhsuk-u-visually-hidden">"Important: "</span>
                                        "What happened"
                                    </span>
                                </h2>
                                <p id="care-identity-problem">{text}</p>
                            </div>
                        }
                    })}
                </Transition>
                <a class="nhsuk-button" href=paths::METHOD role="button" draggable="false">"Log in again"</a>
                <p>
                    "If you do not have a MESH UI account yet, "
                    <a href="/apply/account">"apply for a MESH UI account"</a> "."
                </p>
                <p>
                    "If your smartcard or Care Identity needs changing (a role, an activity code, "
                    "your email address), ask your Registration Authority. For anything else, "
                    "contact the service desk."
                </p>
            </div>
        </div>
    }
}

/// `/sign-out`: a button to log out, or the news that you have.
#[component]
pub fn SignOutPage() -> impl IntoView {
    let query = use_query_map();
    let done = query.with_untracked(|q| q.get("done").is_some());
    let visitor = Resource::new(|| (), |_| get_visitor());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let signed_in = matches!(visitor.await, Ok(ref v) if v.user.is_some());
                if signed_in && !done {
                    view! {
                        <Title text="Log out" />
                        <h1 class="nhsuk-heading-l">"Log out of MESH portal?"</h1>
                        <form method="post" action=paths::SIGN_OUT>
                            <button class="nhsuk-button" type="submit">"Log out"</button>
                        </form>
                    }
                    .into_any()
                } else {
                    view! {
                        <Title text="You have logged out" />
                        <h1 class="nhsuk-heading-l">"You have logged out"</h1>
                        <p>"Your session has ended on this device and on the server."</p>
                        <p><a href=paths::SIGN_IN>"Log in again"</a></p>
                    }
                    .into_any()
                }
            })}
        </Transition>
    }
}
