//! Email: an outbox table written in the same transaction as what the email is about, and a worker
//! that delivers what is due and retries what failed.
//!
//! Transports: `.eml` files in a folder (the default, so a laptop run shows what would be sent)
//! or SMTP by URL. Several instances may run the worker: each claims a row by moving its next
//! attempt forward with a conditional update before sending it, so no email goes twice.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rand::Rng;
use sqlx::{Any, AnyConnection};
use tokio::sync::Notify;

use super::clock::Clock;
use super::db::Db;

/// How long a claimed email is left to its sender before another worker may try it.
const CLAIM_SECONDS: i64 = 300;

/// After this many failed attempts an email is left alone (with its last error) for a person to
/// look at.
pub const MAX_ATTEMPTS: i64 = 12;

/// An email to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// It holds a secret (a password, a one-time link or code): its body is blanked once sent.
    pub sensitive: bool,
}

/// Where emails go.
pub enum Transport {
    /// One `.eml` file per email in this folder.
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Why the mail settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("the SMTP URL cannot be used: {0}")]
    SmtpUrl(String),
    #[error("the sender address cannot be used: {0}")]
    From(String),
}

/// Sends emails from the outbox.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    wake: Notify,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.transport {
            Transport::Files(dir) => format!("files in {}", dir.display()),
            Transport::Smtp(_) => "SMTP".to_owned(),
        };
        f.debug_struct("Mailer")
            .field("transport", &transport)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// `.eml` files in `dir`, or SMTP when `smtp_url` is given (`smtp://host:25`,
    /// `smtp://user:password@host:587?tls=required`, `smtps://host`).
    pub fn new(dir: PathBuf, smtp_url: Option<&str>, from: &str) -> Result<Self, MailSetupError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailSetupError::From(e.to_string()))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailSetupError::SmtpUrl(e.to_string()))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => Transport::Files(dir),
        };
        Ok(Self {
            transport,
            from,
            wake: Notify::new(),
        })
    }

    /// Tells the worker there is something new to send.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendFailure> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| SendFailure::permanent(format!("bad recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| SendFailure::permanent(format!("cannot build the message: {e}")))?;
        match &self.transport {
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| {
                    SendFailure::transient(format!("cannot create {}: {e}", dir.display()))
                })?;
                AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendFailure::transient(e.to_string()))
            }
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendFailure {
                        // A 5xx answer (no such mailbox, refused) will not change by trying again.
                        permanent: e.is_permanent(),
                        message: e.to_string(),
                    })
            }
        }
    }
}

/// Why an email did not go, and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    pub message: String,
    pub permanent: bool,
}

impl SendFailure {
    fn permanent(message: String) -> Self {
        Self {
            message,
            permanent: true,
        }
    }

    fn transient(message: String) -> Self {
        Self {
            message,
            permanent: false,
        }
    }
}

/// What a sent email that held a secret keeps of its body.
pub const BLANKED_BODY: &str =
    "(Removed once sent: this email held a password, a one-time link or a code.)";

/// Puts an email in the outbox, inside the caller's transaction.
pub async fn enqueue(conn: &mut AnyConnection, mail: &OutgoingMail, now: i64) -> sqlx::Result<()> {
    enqueue_about(conn, mail, None, now).await
}

/// Puts an email about an application in the outbox (its page lists it), inside the caller's
/// transaction.
pub async fn enqueue_about(
    conn: &mut AnyConnection,
    mail: &OutgoingMail,
    reference: Option<&str>,
    now: i64,
) -> sqlx::Result<()> {
    let id: String = {
        let mut rng = rand::rng();
        (0..24)
            .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
            .collect()
    };
    sqlx::query::<Any>(
        "INSERT INTO mail_outbox (id, to_address, subject, text_body, html_body, created_at, \
         attempts, next_attempt_at, reference, sensitive) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $6, $7, $8)",
    )
    .bind(id)
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(now)
    .bind(reference)
    .bind(i64::from(mail.sensitive))
    .execute(conn)
    .await?;
    Ok(())
}

/// Seconds to wait after the `attempts`-th failure: 30 s doubling, at most an hour.
pub fn retry_delay(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 8) - 1;
    (30_i64 << doublings).min(3600)
}

/// An email due to be sent, as the outbox holds it.
#[derive(sqlx::FromRow)]
struct DueRow {
    id: String,
    to_address: String,
    subject: String,
    text_body: String,
    html_body: String,
    attempts: i64,
    next_attempt_at: i64,
    sensitive: i64,
}

/// Sends every email that is due by `clock`; returns how many went.
pub async fn deliver_due(db: &Db, mailer: &Mailer, clock: &Clock) -> sqlx::Result<usize> {
    let now = clock.now();
    let due: Vec<DueRow> = sqlx::query_as(
        "SELECT id, to_address, subject, text_body, html_body, attempts, next_attempt_at, sensitive \
         FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
         AND attempts < $2 ORDER BY next_attempt_at LIMIT 50",
    )
    .bind(now)
    .bind(MAX_ATTEMPTS)
    .fetch_all(&db.pool)
    .await?;
    let mut sent = 0;
    for DueRow {
        id,
        to_address: to,
        subject,
        text_body: text,
        html_body: html,
        attempts,
        next_attempt_at,
        sensitive,
    } in due
    {
        let claimed = sqlx::query::<Any>(
            "UPDATE mail_outbox SET next_attempt_at = $1, attempts = attempts + 1 \
             WHERE id = $2 AND next_attempt_at = $3 AND sent_at IS NULL",
        )
        .bind(now + CLAIM_SECONDS)
        .bind(&id)
        .bind(next_attempt_at)
        .execute(&db.pool)
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        let mail = OutgoingMail {
            to,
            subject,
            text,
            html,
            sensitive: sensitive == 1,
        };
        match mailer.send(&mail).await {
            Ok(()) => {
                // A secret leaves the database once it has gone.
                sqlx::query::<Any>(
                    "UPDATE mail_outbox SET sent_at = $1, last_error = NULL, \
                     text_body = CASE WHEN sensitive = 1 THEN $2 ELSE text_body END, \
                     html_body = CASE WHEN sensitive = 1 THEN $2 ELSE html_body END WHERE id = $3",
                )
                .bind(clock.now())
                .bind(BLANKED_BODY)
                .bind(&id)
                .execute(&db.pool)
                .await?;
                tracing::info!(mail.id = %id, "email sent");
                sent += 1;
            }
            Err(failure) => {
                let attempts = attempts + 1;
                let give_up = failure.permanent || attempts >= MAX_ATTEMPTS;
                sqlx::query::<Any>(
                    "UPDATE mail_outbox SET next_attempt_at = $1, last_error = $2, \
                     failed_at = CASE WHEN $3 = 1 THEN $4 ELSE NULL END WHERE id = $5",
                )
                .bind(clock.now() + retry_delay(attempts))
                .bind(&failure.message)
                .bind(i64::from(give_up))
                .bind(clock.now())
                .bind(&id)
                .execute(&db.pool)
                .await?;
                tracing::warn!(
                    mail.id = %id,
                    mail.attempts = attempts,
                    mail.given_up = give_up,
                    error = %failure.message,
                    "email not sent"
                );
            }
        }
    }
    Ok(sent)
}

/// Delivers the outbox for as long as the process runs: at once when woken, and every few
/// seconds for retries and for emails other instances queued.
pub async fn run_worker(db: Db, mailer: Arc<Mailer>, clock: Arc<Clock>) {
    loop {
        if let Err(error) = deliver_due(&db, &mailer, &clock).await {
            tracing::error!(%error, "mail outbox");
        }
        tokio::select! {
            () = mailer.wake.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}

/// What asking to send an email again did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resent {
    Queued,
    /// No such email about that application.
    Unknown,
    /// It held a secret, blanked once sent: the secret must be issued afresh instead.
    Blanked,
}

/// Sends an email about an application again: a new copy in the outbox.
pub async fn resend(
    conn: &mut AnyConnection,
    id: &str,
    reference: &str,
    now: i64,
) -> Result<Resent, sqlx::Error> {
    let row: Option<(String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT to_address, subject, text_body, html_body, sensitive, sent_at FROM mail_outbox \
         WHERE id = $1 AND reference = $2",
    )
    .bind(id)
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((to, subject, text, html, sensitive, sent_at)) = row else {
        return Ok(Resent::Unknown);
    };
    if sensitive == 1 && sent_at.is_some() {
        return Ok(Resent::Blanked);
    }
    let mail = OutgoingMail {
        to,
        subject,
        text,
        html,
        sensitive: sensitive == 1,
    };
    enqueue_about(conn, &mail, Some(reference), now).await?;
    Ok(Resent::Queued)
}

/// Escapes text for HTML.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_longer_after_each_failure_up_to_an_hour() {
        let delays: Vec<i64> = (1..=9).map(retry_delay).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert!(delays.iter().all(|d| *d <= 3600));
    }

    #[test]
    fn escapes_what_html_would_read_as_markup() {
        assert_eq!(
            html_escape(r#"<b a="x">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
