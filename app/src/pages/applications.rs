//! `/applications/{reference}`: an application's status. It asks for the applicant's email
//! address first, and answers a wrong address exactly as it answers an unknown reference.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::applications::get_posted_status;
use crate::components::form::{FormContext, FormErrors, TextInput};
use crate::components::{HttpStatus, NotFoundContent, Tag};
use crate::model::applications::{ApplicationStatus, ApplicationStatusView, Reference};
use crate::model::format_time;

const TITLE: &str = "Check the progress of an application";

/// The status page.
#[component]
pub fn ApplicationStatusPage() -> impl IntoView {
    let params = use_params_map();
    // The form posts back to the reference as parsed, never to the path as typed: a decoded
    // `..%2Fsign-out` in an action would post somewhere else.
    let Ok(reference) = params.with_untracked(|p| {
        Reference::parse(&p.get("reference").unwrap_or_default()).map(|r| r.to_string())
    }) else {
        return view! {
            <NotFoundContent detail="An application reference looks like MBX-2345-6789: MBX, ACC or WFR, then two groups of four letters and numbers. It is in the email we sent when the application arrived." />
        }
        .into_any();
    };
    let posted = Resource::new(|| (), |_| get_posted_status());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let reference = reference.clone();
                Suspend::new(async move {
                    let (state, found) = match posted.await {
                        Ok(Some((state, found))) => (Some(state), found),
                        _ => (None, None),
                    };
                    let form = FormContext::new(state);
                    provide_context(form);
                    let found = RwSignal::new(found);
                    view! {
                        <Title text=move || if form.has_errors() { format!("Error: {TITLE}") } else { TITLE.to_owned() } />
                        {move || form.has_errors().then(|| view! { <HttpStatus code=400 /> })}
                        <FormErrors />
                        <span class="nhsuk-caption-l">{reference.clone()}</span>
                        <h1 class="nhsuk-heading-l">{TITLE}</h1>
                        {move || match found.get() {
                            Some(view) => view! { <StatusView view /> }.into_any(),
                            None => view! { <EmailForm reference=reference.clone() found /> }.into_any(),
                        }}
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn EmailForm(reference: String, found: RwSignal<Option<ApplicationStatusView>>) -> impl IntoView {
    let form = use_context::<FormContext>().expect("inside the status page");
    let on_submit = lookup_handler(reference.clone(), form, found);
    view! {
        <p>"Enter the email address the application was sent with. We show its progress only if both match."</p>
        <form method="post" action=format!("/applications/{reference}") novalidate on:submit=on_submit>
            <TextInput
                name="email"
                label="Email address"
                stored=""
                input_type="email"
                autocomplete="email"
                code=true
            />
            <button class="nhsuk-button" type="submit">"Check progress"</button>
        </form>
    }
}

#[cfg(feature = "hydrate")]
fn lookup_handler(
    reference: String,
    form: FormContext,
    found: RwSignal<Option<ApplicationStatusView>>,
) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    use wasm_bindgen::JsCast;

    use crate::api::applications::check_application_status;
    use crate::error::AppError;
    use crate::model::forms::{FieldError, FormState, FormValues};

    move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let email = document()
            .get_element_by_id("email")
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default();
        let reference = reference.clone();
        leptos::task::spawn_local(async move {
            match check_application_status(reference, email.clone()).await {
                Ok(view) => {
                    form.state.set(None);
                    found.set(Some(view));
                }
                Err(error) => {
                    let errors = match error {
                        AppError::Form(errors) => errors,
                        other => vec![FieldError::new("email", other.to_string())],
                    };
                    form.state.set(Some(FormState {
                        values: FormValues(vec![("email".into(), email)]),
                        errors,
                    }));
                }
            }
        });
    }
}

#[cfg(not(feature = "hydrate"))]
fn lookup_handler(
    reference: String,
    form: FormContext,
    found: RwSignal<Option<ApplicationStatusView>>,
) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    let _ = (reference, form, found);
    |_| {}
}

pub fn status_colour(status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Submitted => "blue",
        ApplicationStatus::InReview => "yellow",
        ApplicationStatus::MoreInformationNeeded => "orange",
        ApplicationStatus::Approved => "green",
        ApplicationStatus::Rejected => "red",
    }
}

#[component]
fn StatusView(view: ApplicationStatusView) -> impl IntoView {
    let what_next = match view.status {
        ApplicationStatus::Submitted => {
            "The service desk will review it, usually within 5 working days."
        }
        ApplicationStatus::InReview => "The service desk is reviewing it.",
        ApplicationStatus::MoreInformationNeeded => {
            "The service desk has emailed you a question. Reply to that email to carry on."
        }
        ApplicationStatus::Approved => "It has been approved. The details were sent by email.",
        ApplicationStatus::Rejected => "It was not approved. The email we sent says why.",
    };
    view! {
        <dl class="nhsuk-summary-list">
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Application"</dt>
                <dd class="nhsuk-summary-list__value">{view.kind.label()}</dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Status"</dt>
                <dd class="nhsuk-summary-list__value">
                    <Tag colour=status_colour(view.status) text=view.status.label() />
                </dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Sent"</dt>
                <dd class="nhsuk-summary-list__value">{format_time(view.submitted_at)}</dd>
            </div>
        </dl>
        <p>{what_next}</p>
        <h2 class="nhsuk-heading-m">"History"</h2>
        <table class="nhsuk-table">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"History of the application"</caption>
            <thead class="nhsuk-table__head">
                <tr>
                    <th scope="col" class="nhsuk-table__header">"When"</th>
                    <th scope="col" class="nhsuk-table__header">"Status"</th>
                    <th scope="col" class="nhsuk-table__header">"Note"</th>
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {view
                    .history
                    .into_iter()
                    .map(|event| view! {
                        <tr class="nhsuk-table__row">
                            <td class="nhsuk-table__cell">{format_time(event.at)}</td>
                            <td class="nhsuk-table__cell">{event.status.label()}</td>
                            <td class="nhsuk-table__cell">{event.note}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// `/applications/{reference}/answer/{token}`: the service desk's question, from the emailed
/// link, and the applicant's answer (given once; afterwards the page shows it).
#[component]
pub fn ApplicationAnswerPage() -> impl IntoView {
    use crate::api::applications::get_question;
    use crate::components::form::{PostForm, TextArea, question_frame, when_loaded};

    let params = leptos_router::hooks::use_params_map();
    let (reference, token) = params.with_untracked(|p| {
        (
            p.get("reference").unwrap_or_default(),
            p.get("token").unwrap_or_default(),
        )
    });
    let asked_token = token.clone();
    let data = Resource::new(
        move || (reference.clone(), token.clone()),
        |(reference, token)| get_question(reference, token),
    );
    when_loaded(data, move |(view, posted)| {
        // The reference as the server found it, not as typed (a token that was found is the
        // one that was sent, so it is safe to use as it came).
        let path = crate::model::applications::answer_path(&view.reference, &asked_token);
        question_frame(
            "Answer the service desk's question",
            "Your application",
            format!("/applications/{}", view.reference),
            posted,
            move || {
                view! {
                    <p>"About application " <strong>{view.reference.clone()}</strong> ", asked " {view.asked.clone()} "."</p>
                    <div class="nhsuk-inset-text">
                        <span class="nhsuk-u-visually-hidden">"The question: "</span>
                        <p>{view.question.clone()}</p>
                    </div>
                    {match view.answer.clone() {
                        Some(answer) => view! {
                            <div class="nhsuk-panel nhsuk-panel--confirmation">
                                <h2 class="nhsuk-panel__title">"Your answer has been sent"</h2>
                            </div>
                            <p>"You answered:"</p>
                            <p>{answer}</p>
                            <p>"The service desk will carry on with your application and email you its decision."</p>
                        }
                        .into_any(),
                        None => view! {
                            <PostForm path button="Send answer">
                                <TextArea name="answer" label="Your answer" stored="" rows=8 />
                            </PostForm>
                        }
                        .into_any(),
                    }}
                }
            },
        )
    })
}
