//! NHS.UK question pages: the page frame (back link, error summary, heading), the posting form,
//! and the fields.
//!
//! A form posts to its own page's address, so it works without JavaScript: the server stores the
//! answer and redirects to the next page, or shows the page again with the errors. With
//! JavaScript, [`PostForm`] sends the same pairs to the `submit_form` server function
//! and navigates, or shows the errors without reloading. Either way the fields show what was
//! typed, taken from [`FormContext`].

use leptos::prelude::*;
use leptos_meta::Title;

use super::{ErrorMessage, ErrorSummary, HttpStatus};
use crate::api::applications::get_application_drafts;
use crate::model::applications::Drafts;
use crate::model::forms::FormState;

/// The refused submission of the page, if any, shared by the form and its fields.
#[derive(Debug, Clone, Copy)]
pub struct FormContext {
    pub state: RwSignal<Option<FormState>>,
}

impl FormContext {
    pub fn new(posted: Option<FormState>) -> Self {
        Self {
            state: RwSignal::new(posted),
        }
    }

    /// What the field shows: what was just typed if the form was refused, else `stored`.
    pub fn value(&self, name: &str, stored: &str) -> String {
        self.state.with(|s| match s {
            Some(state) => state.values.get(name).to_owned(),
            None => stored.to_owned(),
        })
    }

    /// Whether a checkbox or radio is ticked: as just sent if refused, else as `stored`.
    pub fn checked(&self, name: &str, value: &str, stored: bool) -> bool {
        self.state.with(|s| match s {
            Some(state) => state.values.has(name, value),
            None => stored,
        })
    }

    pub fn error(&self, name: &str) -> Option<String> {
        self.state
            .with(|s| s.as_ref().and_then(|state| state.error_for(name)))
    }

    pub fn has_errors(&self) -> bool {
        self.state
            .with(|s| s.as_ref().is_some_and(|state| !state.errors.is_empty()))
    }
}

fn use_form() -> FormContext {
    use_context::<FormContext>().unwrap_or_else(|| FormContext::new(None))
}

/// A question page: loads the drafts of this browser session (and the refused form, after a post
/// without JavaScript), then shows [`question_frame`] with `body` given the drafts.
#[component]
pub fn QuestionPage<F, V>(
    title: &'static str,
    /// The application the page belongs to, shown above the heading.
    caption: &'static str,
    back: &'static str,
    body: F,
) -> impl IntoView
where
    F: Fn(Drafts) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let data = Resource::new(|| (), |_| get_application_drafts());
    view! {
        <Transition fallback=|| view! { <p class="nhsuk-body">"Loading…"</p> }>
            {move || {
                let body = body.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok((drafts, posted)) => {
                            question_frame(title, caption, back, posted, move || body(drafts))
                        }
                        Err(error) => load_failed(&error),
                    }
                })
            }}
        </Transition>
    }
}

/// The frame of a question page once its data is in: title ("Error: " first when the form was
/// refused), Back link, error summary, caption and heading, then `body`. Provides the
/// [`FormContext`] the fields read.
pub fn question_frame<V: IntoView + 'static>(
    title: &'static str,
    caption: &'static str,
    back: impl Into<String>,
    posted: Option<FormState>,
    body: impl FnOnce() -> V,
) -> AnyView {
    let form = FormContext::new(posted);
    let back = back.into();
    provide_context(form);
    view! {
        <Title text=move || {
            if form.has_errors() { format!("Error: {title}") } else { title.to_owned() }
        } />
        <div class="nhsuk-back-link">
            <a class="nhsuk-back-link__link" href=back>"Back"</a>
        </div>
        <FormErrors />
        <span class="nhsuk-caption-l">{caption}</span>
        <h1 class="nhsuk-heading-l">{title}</h1>
        {body()}
    }
    .into_any()
}

/// A page made from one server function's answer: `view` once it is in, or what
/// [`load_failed`] shows for its error (a 401, 403, 404 … page).
pub fn when_loaded<T, V>(
    data: Resource<Result<T, crate::error::AppError>>,
    view: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| ()>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(loaded) => view(loaded).into_any(),
                        Err(error) => load_failed(&error),
                    }
                })
            }}
        </Transition>
    }
}

/// What a page shows when its data could not be loaded, or may not be shown to this person:
/// each refusal with its own heading and a way on.
pub fn load_failed(error: &crate::error::AppError) -> AnyView {
    use crate::error::AppError;
    let message = error.to_string();
    let (heading, next) = match error {
        AppError::SignInRequired(_) => (
            "You need to log in",
            view! {
                <a class="nhsuk-button" href="/sign-in" role="button" draggable="false">"Log in"</a>
            }
            .into_any(),
        ),
        AppError::Forbidden(_) => (
            "You cannot see this page",
            view! {
                <p>"If you think you should, contact the service desk. " <a href="/">"Go to the home page"</a></p>
            }
            .into_any(),
        ),
        AppError::NotFound(_) => (
            "Page not found",
            view! { <p><a href="/">"Go to the home page"</a></p> }.into_any(),
        ),
        AppError::Gone(_) => ("This link no longer works", ().into_any()),
        AppError::TooMany(_) => ("Too many attempts", ().into_any()),
        _ => ("Sorry, there is a problem with the service", ().into_any()),
    };
    view! {
        <HttpStatus code=error.status_code().as_u16() />
        <Title text=heading />
        <h1 class="nhsuk-heading-l">{heading}</h1>
        <p>{message}</p>
        {next}
    }
    .into_any()
}

/// The error summary of the page's form, when it has errors.
#[component]
pub fn FormErrors() -> impl IntoView {
    let form = use_form();
    move || {
        let errors = form
            .state
            .with(|s| s.as_ref().map(|s| s.errors.clone()).unwrap_or_default());
        view! { <ErrorSummary errors /> }
    }
}

/// A form that posts its fields to `path` and ends with the `button`. See the module notes.
#[component]
pub fn PostForm(
    #[prop(into)] path: String,
    /// The button's words; `None` when the children hold the buttons.
    #[prop(optional)]
    button: Option<&'static str>,
    /// Load the next page afresh (not through the router), as after signing in, when the header
    /// must change too.
    #[prop(optional)]
    full_load: bool,
    children: Children,
) -> impl IntoView {
    let form = use_form();
    let on_submit = submit_handler(path.clone(), form, full_load);
    view! {
        <form method="post" action=path novalidate on:submit=on_submit>
            {children()}
            {button.map(|label| view! {
                <button class="nhsuk-button" type="submit" data-prevent-double-click="true">
                    {label}
                </button>
            })}
        </form>
    }
}

#[cfg(feature = "hydrate")]
fn submit_handler(
    path: String,
    form: FormContext,
    full_load: bool,
) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    use leptos_router::NavigateOptions;
    use leptos_router::hooks::use_navigate;
    use wasm_bindgen::JsCast;

    use crate::api::forms::submit_form;
    use crate::error::AppError;
    use crate::model::forms::{FieldError, FormValues};

    let navigate = use_navigate();
    let sending = StoredValue::new(false);
    move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_value() {
            return;
        }
        let Some(element) = submitted_form(&ev) else {
            return;
        };
        let mut values = text_values(&element);
        // The button that sent the form says what to do (Add, Remove) as it would without
        // JavaScript.
        if let Some(button) = ev
            .submitter()
            .and_then(|b| b.dyn_into::<web_sys::HtmlButtonElement>().ok())
            && !button.name().is_empty()
        {
            values.push((button.name(), button.value()));
        }
        let values = FormValues(values);
        let navigate = navigate.clone();
        let path = path.clone();
        sending.set_value(true);
        leptos::task::spawn_local(async move {
            let result = submit_form(path, values.clone()).await;
            sending.set_value(false);
            match result {
                Ok(next) => {
                    form.state.set(None);
                    let here = window()
                        .location()
                        .pathname()
                        .and_then(|p| window().location().search().map(|s| p + &s))
                        .unwrap_or_default();
                    if full_load || !next.starts_with('/') {
                        // A new page with a new header, or another site (an identity provider).
                        let _ = window().location().assign(&next);
                    } else if next == here {
                        // The same page with new answers (a workflow added or removed): load it
                        // afresh, since the router keeps a page as it is while its URL stays.
                        let _ = window().location().reload();
                    } else {
                        navigate(&next, NavigateOptions::default());
                    }
                }
                Err(error) => {
                    let errors = match error {
                        AppError::Form(errors) => errors,
                        AppError::Invalid { field, message } => vec![FieldError::new(
                            field.unwrap_or_else(|| "maincontent".into()),
                            message,
                        )],
                        other => vec![FieldError::new("maincontent", other.to_string())],
                    };
                    form.state.set(Some(FormState { values, errors }));
                    focus_error_summary();
                }
            }
        });
    }
}

/// The form an event was submitted from.
#[cfg(feature = "hydrate")]
pub(crate) fn submitted_form(ev: &leptos::ev::SubmitEvent) -> Option<web_sys::HtmlFormElement> {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
}

/// The text fields of a form as they would be posted (files left out).
#[cfg(feature = "hydrate")]
pub(crate) fn text_values(element: &web_sys::HtmlFormElement) -> Vec<(String, String)> {
    let mut values = Vec::new();
    if let Ok(data) = web_sys::FormData::new_with_form(element)
        && let Ok(Some(entries)) = js_sys::try_iter(&data)
    {
        for entry in entries.flatten() {
            let pair = js_sys::Array::from(&entry);
            if let Some(value) = pair.get(1).as_string() {
                values.push((pair.get(0).as_string().unwrap_or_default(), value));
            }
        }
    }
    values
}

/// Moves focus to the error summary, as the NHS.UK frontend does when a page loads with one.
#[cfg(feature = "hydrate")]
pub(crate) fn focus_error_summary() {
    use wasm_bindgen::JsCast;
    request_animation_frame(|| {
        if let Some(summary) = document()
            .query_selector(".nhsuk-error-summary")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = summary.focus();
            summary.scroll_into_view();
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn submit_handler(
    path: String,
    form: FormContext,
    full_load: bool,
) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    let _ = (path, form, full_load);
    |_| {}
}

fn described_by(parts: &[Option<String>]) -> Option<String> {
    let ids: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A labelled text input.
#[component]
pub fn TextInput(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    /// The stored answer.
    #[prop(into)]
    stored: String,
    /// `text`, `email`, `tel`.
    #[prop(default = "text")]
    input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// An NHS.UK width class, such as `nhsuk-input--width-10`.
    #[prop(default = "nhsuk-u-width-two-thirds")]
    width: &'static str,
    /// Codes and IDs are not words: no spelling check or capitals.
    #[prop(optional)]
    code: bool,
    /// `numeric` for digits-only fields, so phones show the number pad.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// A PIN or passcode: what was typed is never put back in the page.
    #[prop(optional)]
    secret: bool,
) -> impl IntoView {
    let form = use_form();
    let error = move || form.error(name);
    let hint_id = hint.map(|_| format!("{name}-hint"));
    let describedby = {
        let hint_id = hint_id.clone();
        move || described_by(&[hint_id.clone(), error().map(|_| format!("{name}-error"))])
    };
    let shown = move || {
        if secret {
            // Emptied again whenever the form is refused.
            form.state.track();
            String::new()
        } else {
            form.value(name, &stored)
        }
    };
    let initial = shown();
    view! {
        <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || error().is_some()>
            <label class="nhsuk-label" for=name>{label}</label>
            {hint.map(|hint| view! { <div class="nhsuk-hint" id=hint_id.clone()>{hint}</div> })}
            {move || error().map(|message| view! {
                <ErrorMessage id=format!("{name}-error") message />
            })}
            <input
                class=format!("nhsuk-input {width}")
                class:nhsuk-input--error=move || error().is_some()
                id=name
                name=name
                type=input_type
                prop:value=shown
                value=initial
                autocomplete=autocomplete
                inputmode=inputmode
                spellcheck=(code || secret).then_some("false")
                autocapitalize=code.then_some("characters")
                aria-describedby=describedby
            />
        </div>
    }
}

/// A labelled multi-line text box: the project's one `<textarea>`.
///
/// Leptos 0.8 writes a textarea's children into the server's HTML as they are, unescaped (it
/// treats the element as it treats `<script>`), so a bare `<textarea>{value}</textarea>` lets
/// `</textarea><h1>…` out as markup. The value goes through [`textarea_text`] instead.
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] stored: String,
    #[prop(default = 5)] rows: u32,
) -> impl IntoView {
    let form = use_form();
    let error = move || form.error(name);
    let hint_id = hint.map(|_| format!("{name}-hint"));
    let describedby = {
        let hint_id = hint_id.clone();
        move || described_by(&[hint_id.clone(), error().map(|_| format!("{name}-error"))])
    };
    let initial = form.value(name, &stored);
    view! {
        <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || error().is_some()>
            <label class="nhsuk-label" for=name>{label}</label>
            {hint.map(|hint| view! { <div class="nhsuk-hint" id=hint_id.clone()>{hint}</div> })}
            {move || error().map(|message| view! {
                <ErrorMessage id=format!("{name}-error") message />
            })}
            <textarea
                class="nhsuk-textarea"
                class:nhsuk-textarea--error=move || error().is_some()
                id=name
                name=name
                rows=rows
                prop:value=move || form.value(name, &stored)
                aria-describedby=describedby
            >
                {textarea_text(initial)}
            </textarea>
        </div>
    }
}

/// A textarea's initial text as it must be written between its tags. On the server, escaped (an
/// HTML parser decodes the entities back into the same text), with a newline in front of a value
/// that starts with one, since the parser drops the first newline after `<textarea>`. In the
/// browser the text becomes a DOM text node, which is never parsed, so it stays as it is and
/// hydration finds the same text the server's page holds.
fn textarea_text(value: String) -> String {
    #[cfg(feature = "ssr")]
    {
        let mut escaped = String::with_capacity(value.len() + 1);
        if value.starts_with(['\n', '\r']) {
            escaped.push('\n');
        }
        for c in value.chars() {
            match c {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                c => escaped.push(c),
            }
        }
        escaped
    }
    #[cfg(not(feature = "ssr"))]
    value
}

/// One choice of a group of radios or checkboxes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

/// A group of radios (one answer) or checkboxes (any number), in a fieldset with its legend. The
/// first input has the id `name`, so the error summary's link lands on it.
#[component]
pub fn Choices(
    name: &'static str,
    legend: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    choices: Vec<Choice>,
    /// The stored answers' values.
    stored: Vec<String>,
    /// Checkboxes instead of radios.
    #[prop(optional)]
    multiple: bool,
) -> impl IntoView {
    let form = use_form();
    let error = move || form.error(name);
    let hint_id = hint.map(|_| format!("{name}-hint"));
    let describedby = {
        let hint_id = hint_id.clone();
        move || described_by(&[hint_id.clone(), error().map(|_| format!("{name}-error"))])
    };
    let kind = if multiple { "checkboxes" } else { "radios" };
    let input_type = if multiple { "checkbox" } else { "radio" };
    view! {
        <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || error().is_some()>
            <fieldset class="nhsuk-fieldset" aria-describedby=describedby>
                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">{legend}</legend>
                {hint.map(|hint| view! { <div class="nhsuk-hint" id=hint_id.clone()>{hint}</div> })}
                {move || error().map(|message| view! {
                    <ErrorMessage id=format!("{name}-error") message />
                })}
                <div class=format!("nhsuk-{kind}")>
                    {choices
                        .into_iter()
                        .enumerate()
                        .map(|(i, choice)| {
                            let id = if i == 0 { name.to_owned() } else { format!("{name}-{}", i + 1) };
                            let hint_id = format!("{id}-item-hint");
                            let was = stored.iter().any(|s| s == choice.value);
                            let value = choice.value;
                            view! {
                                <div class=format!("nhsuk-{kind}__item")>
                                    <input
                                        class=format!("nhsuk-{kind}__input")
                                        id=id.clone()
                                        name=name
                                        type=input_type
                                        value=value
                                        checked=form.checked(name, value, was)
                                        prop:checked=move || form.checked(name, value, was)
                                        aria-describedby=(!choice.hint.is_empty()).then(|| hint_id.clone())
                                    />
                                    <label class=format!("nhsuk-label nhsuk-{kind}__label") for=id>
                                        {choice.label}
                                    </label>
                                    {(!choice.hint.is_empty()).then(|| view! {
                                        <div class=format!("nhsuk-hint nhsuk-{kind}__hint") id=hint_id.clone()>
                                            {choice.hint}
                                        </div>
                                    })}
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// One row of a check-your-answers summary list, with a Change link to the question.
#[component]
pub fn SummaryRow(
    key: &'static str,
    #[prop(into)] value: String,
    change: &'static str,
    /// What the Change link changes, for screen readers ("Change *organisation*").
    #[prop(into)]
    what: String,
) -> impl IntoView {
    let lines: Vec<String> = value.lines().map(str::to_owned).collect();
    let empty = lines.is_empty();
    view! {
        <div class="nhsuk-summary-list__row">
            <dt class="nhsuk-summary-list__key">{key}</dt>
            <dd class="nhsuk-summary-list__value">
                {if empty {
                    view! { <span class="nhsuk-u-secondary-text-colour">"Not answered"</span> }.into_any()
                } else {
                    lines
                        .into_iter()
                        .map(|line| view! { {line} <br /> })
                        .collect_view()
                        .into_any()
                }}
            </dd>
            <dd class="nhsuk-summary-list__actions">
                <a href=change>
                    "Change" <span class="nhsuk-u-visually-hidden">{format!(" {what}")}</span>
                </a>
            </dd>
        </div>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use leptos::prelude::*;

    use super::{TextArea, textarea_text};

    #[test]
    fn a_textarea_value_is_escaped_on_the_server() {
        assert_eq!(
            textarea_text("</textarea><h1>A & B</h1>".to_owned()),
            "&lt;/textarea&gt;&lt;h1&gt;A &amp; B&lt;/h1&gt;"
        );
        assert_eq!(textarea_text("\nline".to_owned()), "\n\nline");
        assert_eq!(textarea_text("plain".to_owned()), "plain");
    }

    #[test]
    fn the_textarea_component_writes_no_markup_of_its_value() {
        let owner = Owner::new();
        let html = owner.with(|| {
            view! { <TextArea name="reason" label="Reason" stored="</textarea><h1>Injected</h1>" /> }
                .to_html()
        });

        assert!(!html.contains("<h1>"), "{html}");
        assert!(
            html.contains(">&lt;/textarea&gt;&lt;h1&gt;Injected&lt;/h1&gt;</textarea>"),
            "{html}"
        );
    }
}
