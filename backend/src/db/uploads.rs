//! Uploads in progress and the instances that run them: an upload is noted before its first byte
//! is written and forgotten in the transaction that records its content, so that what a stopped
//! process left behind can be found and removed.

use sqlx::{Any, AnyConnection};

/// Notes that an upload is under way, before its first byte is written.
pub async fn begin_upload(
    conn: &mut AnyConnection,
    content_key: &str,
    instance_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO uploads (content_key, instance_id, started_at) VALUES ($1, $2, $3)",
    )
    .bind(content_key)
    .bind(instance_id)
    .bind(now)
    .execute(conn)
    .await
    .map(drop)
}

/// Keeps the S3 multipart upload that an upload's content goes into.
pub async fn note_upload_id(
    conn: &mut AnyConnection,
    content_key: &str,
    upload_id: &str,
) -> sqlx::Result<()> {
    sqlx::query::<Any>("UPDATE uploads SET upload_id = $2 WHERE content_key = $1")
        .bind(content_key)
        .bind(upload_id)
        .execute(conn)
        .await
        .map(drop)
}

/// Notes that an upload is over (delivered, or refused and its content removed).
pub async fn end_upload(conn: &mut AnyConnection, content_key: &str) -> sqlx::Result<()> {
    sqlx::query::<Any>("DELETE FROM uploads WHERE content_key = $1")
        .bind(content_key)
        .execute(conn)
        .await
        .map(drop)
}

/// Uploads of other instances than `this` whose instance has not been seen since `seen_before`
/// (or is not known at all): they will never finish. (Content key, S3 multipart upload ID.)
pub async fn abandoned_uploads(
    conn: &mut AnyConnection,
    seen_before: i64,
    this: &str,
) -> sqlx::Result<Vec<(String, Option<String>)>> {
    sqlx::query_as::<Any, (String, Option<String>)>(
        "SELECT u.content_key, u.upload_id FROM uploads u \
         LEFT JOIN instances i ON i.instance_id = u.instance_id \
         WHERE u.instance_id <> $2 AND (i.instance_id IS NULL OR i.seen_at < $1) \
         ORDER BY u.started_at",
    )
    .bind(seen_before)
    .bind(this)
    .fetch_all(conn)
    .await
}

/// Records that this instance is running (at start, then every few seconds).
pub async fn heartbeat(conn: &mut AnyConnection, instance_id: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query::<Any>(
        "INSERT INTO instances (instance_id, started_at, seen_at) VALUES ($1, $2, $2) \
         ON CONFLICT (instance_id) DO UPDATE SET seen_at = excluded.seen_at",
    )
    .bind(instance_id)
    .bind(now)
    .execute(conn)
    .await
    .map(drop)
}
