//! The applicant's side of "ask for more information": the emailed link opens the question, and
//! the answer, given once, puts the application back in review, restarts the turnaround clock
//! and tells the service desk.

use crate::AppState;
use crate::audit::{self, Actor, Event, Outcome};
use crate::crypto::hash_token;
use crate::db::applications as applications_repo;
use crate::db::service_desk as repo;
use crate::mail::{self, OutgoingMail};
use crate::network::ClientInfo;
use model::applications::{ANSWER_MAX_CHARS, ApplicationStatus, QuestionView};
use model::error::AppError;
use model::format_time;
use model::forms::FieldError;

const NOT_FOUND: &str = "This link is not valid. Check it is the whole link from your email";

/// The question behind a link (and its answer, once given).
pub async fn view(
    state: &AppState,
    reference: &str,
    token: &str,
) -> Result<QuestionView, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let row = repo::question_by_token(&mut conn, &hash_token(token))
        .await?
        .filter(|q| q.reference == reference)
        .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))?;
    Ok(QuestionView {
        reference: row.reference,
        question: row.question,
        asked: format_time(row.asked_at),
        answer: row.answer,
    })
}

/// Takes the answer given on a link's page, once.
pub async fn answer(
    state: &AppState,
    client: ClientInfo,
    reference: &str,
    token: &str,
    answer: &str,
) -> Result<(), AppError> {
    let text = answer.trim().to_owned();
    if text.is_empty() {
        return Err(AppError::Form(vec![FieldError::new(
            "answer",
            "Enter your answer",
        )]));
    }
    if text.chars().count() > ANSWER_MAX_CHARS {
        return Err(AppError::Form(vec![FieldError::new(
            "answer",
            format!("Your answer must be {ANSWER_MAX_CHARS} characters or fewer"),
        )]));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let question = repo::question_by_token(&mut tx, &hash_token(token))
        .await?
        .filter(|q| q.reference == reference)
        .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))?;
    let already = || {
        AppError::Gone(
            "This question has already been answered. The service desk has your answer".into(),
        )
    };
    if !repo::answer_question(&mut tx, reference, question.seq, &text, now).await? {
        return Err(already());
    }
    // Back in review, with the clock running again. (Decided meanwhile: the answer is kept, the
    // status stays.)
    let resumed = repo::change_status(
        &mut tx,
        reference,
        ApplicationStatus::MoreInformationNeeded.as_str(),
        ApplicationStatus::InReview.as_str(),
        "",
        "",
        now,
        false,
    )
    .await?;
    if resumed {
        applications_repo::insert_event(
            &mut tx,
            reference,
            ApplicationStatus::InReview,
            &format!("Answer from the applicant: {text}"),
            now,
        )
        .await?;
    }
    let notice = OutgoingMail {
        to: state.config.service_desk_email.clone(),
        subject: format!("Answer received: {reference}"),
        text: format!(
            "The applicant has answered your question about {reference}.\n\nQuestion: {}\n\nAnswer: {text}\n",
            question.question
        ),
        html: format!(
            "<p>The applicant has answered your question about {reference}.</p><p><strong>Question:</strong> {}</p><p><strong>Answer:</strong> {}</p>",
            mail::html_escape(&question.question),
            mail::html_escape(&text)
        ),
        sensitive: false,
    };
    mail::enqueue_about(&mut tx, &notice, Some(reference), now).await?;
    audit::commit_with(
        tx,
        &state.mailer,
        &Actor::client("applicant", &client),
        Event {
            action: "application.answer",
            subject: format!("application:{reference}"),
            outcome: Outcome::Success,
            detail: String::new(),
        },
        now,
    )
    .await?;
    Ok(())
}
