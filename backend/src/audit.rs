//! The audit log: one row per event worth answering for later (sign-in, lock-out, activation,
//! sign-out, refusals, and every service desk decision), written by everything through [`record`].
//! Rows are only ever added; nothing in the application changes or deletes them.

use sqlx::Any;

use crate::db::Db;

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }
}

/// Who did something, from where.
#[derive(Debug, Clone)]
pub struct Actor {
    /// A user ID, `anonymous`, or `system`.
    pub id: String,
    pub access_route: String,
    pub client_addr: String,
}

impl Actor {
    /// A person (a user ID, or `anonymous`) making a request.
    pub fn client(id: &str, client: &crate::network::ClientInfo) -> Self {
        Self {
            id: id.to_owned(),
            access_route: client.route.as_str().to_owned(),
            client_addr: client.addr.to_string(),
        }
    }

    /// The service itself (command line, background jobs).
    pub fn system() -> Self {
        Self {
            id: "system".to_owned(),
            access_route: "none".to_owned(),
            client_addr: "local".to_owned(),
        }
    }
}

/// One event.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub subject: String,
    pub outcome: Outcome,
    pub detail: String,
}

/// The usual end of an audited change: `event` recorded in the change's own transaction, the
/// transaction committed, and the mail worker woken for any email the change queued (it would
/// find them on its next round; woken, it sends them now).
pub async fn commit_with(
    mut tx: sqlx::Transaction<'static, Any>,
    mailer: &crate::mail::Mailer,
    actor: &Actor,
    event: Event<'_>,
    at: i64,
) -> sqlx::Result<()> {
    record(&mut tx, actor, event, at).await?;
    tx.commit().await?;
    mailer.wake();
    Ok(())
}

/// Adds an event, in the caller's transaction or on its own. The sequence number is the next one
/// free: should two instances take the same number at once, the loser takes the next.
pub async fn record(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    event: Event<'_>,
    at: i64,
) -> sqlx::Result<()> {
    // Each round, one of the writers racing for a number wins; 64 rounds is far more than any
    // burst of sign-ins needs.
    for _ in 0..64 {
        let done = sqlx::query::<Any>(
            "INSERT INTO audit_log \
             (seq, at, actor, action, subject, access_route, client_addr, outcome, detail) \
             SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8 FROM audit_log \
             WHERE true ON CONFLICT (seq) DO NOTHING",
        )
        .bind(at)
        .bind(&actor.id)
        .bind(event.action)
        .bind(&event.subject)
        .bind(&actor.access_route)
        .bind(&actor.client_addr)
        .bind(event.outcome.as_str())
        .bind(&event.detail)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
    }
    Err(sqlx::Error::Protocol(
        "no free audit sequence number after 64 tries".into(),
    ))
}

/// A row of the log, as pages and tests read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub access_route: String,
    pub client_addr: String,
    pub outcome: String,
    pub detail: String,
}

/// The latest entries about a subject, newest first.
pub async fn for_subject(db: &Db, subject: &str, limit: i64) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as::<Any, AuditEntry>(
        "SELECT seq, at, actor, action, subject, access_route, client_addr, outcome, detail \
         FROM audit_log WHERE subject = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(subject)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}
