//! Rate limits shared by every instance: fixed windows counted in the database, keyed by what is
//! limited (`sign_in:addr:192.0.2.1`, `sign_in:account:ada@nhs.net`, `activate:addr:…`). They
//! slow down guessing from one address or against one account; lock-outs (in `sign_in`) stop it.

use sqlx::Any;

use crate::db::Db;

/// A limit: at most `max` hits per `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_seconds: i64,
}

/// Sign-in attempts (PIN or passcode) from one client address.
pub const SIGN_IN_PER_ADDRESS: Limit = Limit {
    max: 30,
    window_seconds: 300,
};
/// Sign-in attempts against one account, from anywhere.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    max: 10,
    window_seconds: 300,
};
/// Set-up link and emailed-code requests from one client address.
pub const ACTIVATION_PER_ADDRESS: Limit = Limit {
    max: 20,
    window_seconds: 300,
};

/// Over the limit: try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Too many attempts. Wait {} and try again", wait_words(*.0))]
pub struct TooMany(pub i64);

fn wait_words(seconds: i64) -> String {
    let minutes = (seconds + 59) / 60;
    if minutes <= 1 {
        "a minute".to_owned()
    } else {
        format!("{minutes} minutes")
    }
}

/// Counts a hit against `key`; refuses it when the window already has `limit.max`.
pub async fn hit(db: &Db, key: &str, limit: Limit, now: i64) -> Result<(), HitError> {
    let window_start = now - now.rem_euclid(limit.window_seconds);
    let hits: i64 = sqlx::query_scalar::<Any, i64>(
        "INSERT INTO rate_limits (limit_key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (limit_key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 \
         RETURNING hits",
    )
    .bind(key)
    .bind(window_start)
    .fetch_one(&db.pool)
    .await?;
    if hits > limit.max {
        return Err(HitError::TooMany(TooMany(
            window_start + limit.window_seconds - now,
        )));
    }
    Ok(())
}

/// Why a hit was not allowed.
#[derive(Debug, thiserror::Error)]
pub enum HitError {
    #[error(transparent)]
    TooMany(#[from] TooMany),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Removes windows that ended more than a day ago; returns how many went.
pub async fn purge(db: &Db, now: i64) -> sqlx::Result<u64> {
    let done = sqlx::query::<Any>("DELETE FROM rate_limits WHERE window_start < $1")
        .bind(now - 86_400)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    #[test]
    fn says_how_long_to_wait_in_minutes() {
        assert_eq!(
            super::TooMany(20).to_string(),
            "Too many attempts. Wait a minute and try again"
        );
        assert_eq!(
            super::TooMany(241).to_string(),
            "Too many attempts. Wait 5 minutes and try again"
        );
    }
}
