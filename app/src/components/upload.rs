//! A file upload with a progress bar. The form is a plain multipart form that works without
//! JavaScript; with it, [`upload_handler`] checks the file's size before sending anything, sends
//! the same form data with a request whose progress the page can see, and shows the answer (an
//! [`UploadAnswer`](crate::model::messaging::UploadAnswer)) without reloading: the next page, or
//! the errors at their fields. The person can cancel while the file is sending.

use leptos::prelude::*;

use super::form::FormContext;

/// What the page's upload is doing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Progress {
    #[default]
    Idle,
    /// Bytes of the request sent so far, of its total.
    Sending { sent: f64, total: f64 },
    /// Every byte is sent; the server is checking and storing the file.
    Storing,
    /// The person cancelled: nothing was sent.
    Cancelled,
}

impl Progress {
    /// Whether a file is on its way.
    pub fn busy(self) -> bool {
        matches!(self, Progress::Sending { .. } | Progress::Storing)
    }

    /// Whole percent sent.
    fn percent(self) -> u32 {
        match self {
            Progress::Sending { sent, total } if total > 0.0 => {
                ((sent / total * 100.0).floor() as u32).min(100)
            }
            Progress::Storing => 100,
            _ => 0,
        }
    }
}

/// The upload of one form: its progress, and the request to cancel (in the browser).
#[derive(Clone, Copy)]
pub struct Upload {
    pub progress: RwSignal<Progress>,
    #[cfg(feature = "hydrate")]
    request: StoredValue<Option<web_sys::XmlHttpRequest>, LocalStorage>,
}

impl Upload {
    pub fn new() -> Self {
        Self {
            progress: RwSignal::new(Progress::Idle),
            #[cfg(feature = "hydrate")]
            request: StoredValue::new_local(None),
        }
    }

    fn cancel(&self) {
        #[cfg(feature = "hydrate")]
        if let Some(request) = self.request.get_value() {
            self.progress.set(Progress::Cancelled);
            let _ = request.abort();
        }
    }
}

impl Default for Upload {
    fn default() -> Self {
        Self::new()
    }
}

/// MB (1,000,000 bytes) with one decimal, as the page states its limits.
fn megabytes(bytes: f64) -> String {
    format!("{:.1}MB", bytes / 1_000_000.0)
}

/// The progress bar, its words, and the Cancel button; nothing while no upload is under way.
#[component]
pub fn UploadProgress(upload: Upload) -> impl IntoView {
    move || match upload.progress.get() {
        Progress::Idle => ().into_any(),
        Progress::Cancelled => view! {
            <div class="nhsuk-inset-text" role="status">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>"You cancelled sending the file. Nothing was sent."</p>
            </div>
        }
        .into_any(),
        progress => {
            let percent = progress.percent();
            let words = match progress {
                Progress::Sending { sent, total } => {
                    format!(
                        "{percent}% sent ({} of {})",
                        megabytes(sent),
                        megabytes(total)
                    )
                }
                _ => "Sent. Checking and storing the file…".to_owned(),
            };
            // Screen readers hear each quarter, not every percent.
            let announced = match progress {
                Progress::Storing => "Sent. Checking and storing the file".to_owned(),
                _ if percent >= 25 => format!("{}% sent", percent / 25 * 25),
                _ => "Sending the file".to_owned(),
            };
            view! {
                <div class="app-upload">
                    <label class="nhsuk-label" for="upload-progress">"Sending the file"</label>
                    <progress id="upload-progress" class="app-upload__bar" max="100" value=percent>
                        {format!("{percent}%")}
                    </progress>
                    <p class="nhsuk-body-s" aria-hidden="true">{words}</p>
                    <p class="nhsuk-u-visually-hidden" role="status">{announced}</p>
                    {matches!(progress, Progress::Sending { .. }).then(|| view! {
                        <button class="nhsuk-button nhsuk-button--secondary" type="button"
                            on:click=move |_| upload.cancel()>
                            "Cancel sending"
                        </button>
                    })}
                </div>
            }
            .into_any()
        }
    }
}

/// With JavaScript: sends the form to `path` as the plain form would, with progress, after
/// checking that the file is at most `max_bytes` (`too_large` is what a larger one is told, as
/// the server would say it). Without it the form posts as it is.
#[cfg(feature = "hydrate")]
pub fn upload_handler(
    path: String,
    form: FormContext,
    upload: Upload,
    max_bytes: u64,
    too_large: String,
) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    use leptos_router::NavigateOptions;
    use leptos_router::hooks::use_navigate;
    use wasm_bindgen::JsCast;

    use super::form::{focus_error_summary, submitted_form, text_values};
    use crate::model::forms::{FieldError, FormState, FormValues};

    let navigate = use_navigate();
    move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if upload.progress.get_untracked().busy() {
            return;
        }
        let Some(element) = submitted_form(&ev) else {
            return;
        };
        let values = FormValues(text_values(&element));
        let refuse = move |values: FormValues, errors: Vec<FieldError>| {
            form.state.set(Some(FormState { values, errors }));
            focus_error_summary();
        };
        let chosen = document()
            .get_element_by_id("file")
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if chosen.is_some_and(|file| file.size() > max_bytes as f64) {
            refuse(values, vec![FieldError::new("file", too_large.clone())]);
            return;
        }
        let Ok(data) = web_sys::FormData::new_with_form(&element) else {
            return;
        };
        let navigate = navigate.clone();
        let path = path.clone();
        leptos::task::spawn_local(async move {
            let answer = send(&path, &data, upload).await;
            upload.request.set_value(None);
            match answer {
                Sent::Cancelled => {}
                Sent::Answer(answer) if answer.errors.is_empty() => {
                    upload.progress.set(Progress::Idle);
                    form.state.set(None);
                    if let Some(location) = answer.location {
                        navigate(&location, NavigateOptions::default());
                    }
                }
                Sent::Answer(answer) => {
                    upload.progress.set(Progress::Idle);
                    refuse(values, answer.errors);
                }
                Sent::Refused => {
                    // Signed out, or the mailbox is no longer theirs: the page says which.
                    let _ = window().location().reload();
                }
                Sent::Failed(message) => {
                    upload.progress.set(Progress::Idle);
                    refuse(values, vec![FieldError::new("file", message)]);
                }
            }
        });
    }
}

#[cfg(not(feature = "hydrate"))]
pub fn upload_handler(
    path: String,
    form: FormContext,
    upload: Upload,
    max_bytes: u64,
    too_large: String,
) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    let _ = (path, form, upload, max_bytes, too_large);
    |_| {}
}

/// How a request sent by the script ended.
#[cfg(feature = "hydrate")]
enum Sent {
    Answer(crate::model::messaging::UploadAnswer),
    Cancelled,
    /// Refused before the form was read (401, 403, 404): the page itself will say why.
    Refused,
    Failed(String),
}

/// Posts `data` to `path`, asking for JSON, with the upload's progress kept up to date.
#[cfg(feature = "hydrate")]
async fn send(path: &str, data: &web_sys::FormData, upload: Upload) -> Sent {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let lost =
        || Sent::Failed("The file could not be sent: the connection was lost. Try again".into());
    let Ok(request) = web_sys::XmlHttpRequest::new() else {
        return lost();
    };
    if request.open_with_async("POST", path, true).is_err()
        || request
            .set_request_header("Accept", "application/json")
            .is_err()
    {
        return lost();
    }
    let Ok(sending) = request.upload() else {
        return lost();
    };
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() {
                let (sent, total) = (event.loaded(), event.total());
                upload.progress.set(if sent >= total {
                    Progress::Storing
                } else {
                    Progress::Sending { sent, total }
                });
            }
        });
    sending.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        request.set_onloadend(Some(&resolve));
    });
    upload.progress.set(Progress::Sending {
        sent: 0.0,
        total: 1.0,
    });
    upload.request.set_value(Some(request.clone()));
    if request.send_with_opt_form_data(Some(data)).is_err() {
        return lost();
    }
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
    sending.set_onprogress(None);
    drop(on_progress);
    if upload.progress.get_untracked() == Progress::Cancelled {
        return Sent::Cancelled;
    }
    let status = request.status().unwrap_or(0);
    let body = request.response_text().ok().flatten().unwrap_or_default();
    if let Ok(answer) = serde_json::from_str(&body) {
        return Sent::Answer(answer);
    }
    match status {
        0 => lost(),
        401 | 403 | 404 => Sent::Refused,
        // A short plain answer (a form that did not arrive whole, too many tries) says itself.
        _ if !body.is_empty() && body.len() < 200 && !body.contains('<') => {
            Sent::Failed(body.trim().trim_end_matches('.').to_owned())
        }
        _ => Sent::Failed(format!(
            "The file could not be sent (the service answered {status}). Try again"
        )),
    }
}
