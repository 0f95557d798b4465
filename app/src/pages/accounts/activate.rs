//! `/activate/{token}`: first-time set-up from the emailed link. A PIN typed twice and the
//! choice of second factor; then, for an authenticator app, its QR code and first code.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::accounts::{get_app_step, get_set_up};
use crate::components::form::{Choice, Choices, PostForm, TextInput, question_frame, when_loaded};
use crate::model::accounts::sign_in::{FACTOR_APP, FACTOR_EMAIL, paths};

const CAPTION: &str = "Set up your account";

fn token() -> String {
    use_params_map().with_untracked(|p| p.get("token").unwrap_or_default())
}

/// `/activate/{token}`: create a PIN and choose how to get security codes.
#[component]
pub fn ActivatePage() -> impl IntoView {
    let token = token();
    let data = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_set_up,
    );
    // The page posts to its own address: the link's token is part of it.
    let path = paths::activate(&token);
    when_loaded(data, move |loaded| {
        let path = path.clone();
        {
            let (view, posted) = loaded;
            question_frame("Create your PIN", CAPTION, "/", posted, move || {
                let mut choices = vec![Choice {
                    value: FACTOR_APP,
                    label: "An authenticator app on my phone or computer",
                    hint: "Such as Microsoft Authenticator or Google Authenticator. Works over HSCN and the internet",
                }];
                if view.email_codes_allowed {
                    choices.push(Choice {
                                    value: FACTOR_EMAIL,
                                    label: "By email",
                                    hint: "A code sent to your work email address each time you log in. Only over HSCN",
                                });
                }
                view! {
                    <p>"This account is for " <strong>{view.name.clone()}</strong> " (" {view.email.clone()} ")."</p>
                    <PostForm path button="Continue">
                        <TextInput
                            name="pin"
                            label="Create a PIN"
                            hint="6 to 12 numbers. Not the same number repeated, and not a sequence like 123456"
                            stored=""
                            input_type="password"
                            autocomplete="new-password"
                            inputmode="numeric"
                            width="nhsuk-input--width-10"
                            secret=true
                        />
                        <TextInput
                            name="pin_confirmation"
                            label="Enter your PIN again"
                            stored=""
                            input_type="password"
                            autocomplete="new-password"
                            inputmode="numeric"
                            width="nhsuk-input--width-10"
                            secret=true
                        />
                        <Choices
                            name="factor"
                            legend="How do you want to get security codes when you log in?"
                            choices
                            stored=vec![]
                        />
                        {(!view.email_codes_allowed).then(|| view! {
                            <div class="nhsuk-inset-text">
                                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                                <p>"You are connected over the internet, where an authenticator app is required. Codes by email are only offered over HSCN."</p>
                            </div>
                        })}
                    </PostForm>
                }
            })
        }
    })
}

/// `/activate/{token}/app`: the QR code (and the key, to type instead), then the first code.
#[component]
pub fn ActivateAppPage() -> impl IntoView {
    let token = token();
    let data = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_app_step,
    );
    let path = paths::activate_app(&token);
    let back = paths::activate(&token);
    when_loaded(data, move |loaded| {
        let (path, back) = (path.clone(), back.clone());
        match loaded {
                    (None, _) => view! {
                        <leptos_meta::Title text="Create your PIN again" />
                        <h1 class="nhsuk-heading-l">"Create your PIN again"</h1>
                        <p>"Your set-up was not finished in this browser. Start from your PIN again; your link still works."</p>
                        <a class="nhsuk-button" href=back role="button" draggable="false">"Start again"</a>
                    }
                    .into_any(),
                    (Some(view), posted) => question_frame(
                        "Set up your authenticator app",
                        CAPTION,
                        back,
                        posted,
                        move || view! {
                            <ol class="nhsuk-list nhsuk-list--number">
                                <li>"Open your authenticator app and choose to add an account."</li>
                                <li>"Scan this QR code with the app."</li>
                            </ol>
                            <div
                                class="app-qr-code"
                                role="img"
                                aria-label="QR code to add MESH portal to your authenticator app"
                                inner_html=view.qr_svg.clone()
                            ></div>
                            <details class="nhsuk-details">
                                <summary class="nhsuk-details__summary">
                                    <span class="nhsuk-details__summary-text">"I cannot scan the QR code"</span>
                                </summary>
                                <div class="nhsuk-details__text">
                                    <p>"Enter this key in the app instead (spaces do not matter). Choose a time-based code."</p>
                                    <p class="app-secret-key"><code>{view.key_groups.clone()}</code></p>
                                </div>
                            </details>
                            <PostForm path button="Finish set-up">
                                <TextInput
                                    name="code"
                                    label="Enter the 6-digit code the app shows"
                                    hint="This proves the app is set up. The code changes every 30 seconds"
                                    stored=""
                                    autocomplete="one-time-code"
                                    inputmode="numeric"
                                    width="nhsuk-input--width-10"
                                    secret=true
                                />
                            </PostForm>
                        },
                    ),
        }
    })
}
