//! The MESH API's used tokens: each is accepted once, and kept only as long as it could be.

use sqlx::{Any, AnyConnection};

/// Records a token's use; `false` when it was used before.
pub async fn use_nonce(
    conn: &mut AnyConnection,
    mailbox_id: &str,
    nonce: &str,
    nonce_count: i64,
    keep_until: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query::<Any>(
        "INSERT INTO api_nonces (mailbox_id, nonce, nonce_count, keep_until) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(mailbox_id)
    .bind(nonce)
    .bind(nonce_count)
    .bind(keep_until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets tokens that could no longer be accepted anyway.
pub async fn purge_nonces(conn: &mut AnyConnection, now: i64) -> sqlx::Result<u64> {
    Ok(
        sqlx::query::<Any>("DELETE FROM api_nonces WHERE keep_until < $1")
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
