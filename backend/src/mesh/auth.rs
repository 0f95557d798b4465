//! The `NHSMESH` authorization header: `NHSMESH MAILBOX:nonce:nonce_count:timestamp:hmac`, where
//! the HMAC-SHA256 under the environment's shared key is over
//! `MAILBOX:nonce:nonce_count:password:timestamp`. A token is accepted once (a client reuses its
//! nonce with a rising count), only within two hours of the server's clock, and only for an
//! active mailbox; every failure is the same 403, and the reason is logged here, not told.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::MeshError;
use crate::AppState;
use crate::db::{api_nonces, mailboxes as repo};
use model::common::MailboxStatus;

/// How far a token's timestamp may be from the server's clock, either way.
pub const WINDOW_SECONDS: i64 = 2 * 3600;

/// A token's public parts, as the header gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub mailbox: &'a str,
    pub nonce: &'a str,
    pub nonce_count: &'a str,
    pub timestamp: &'a str,
    pub hmac: &'a str,
}

impl<'a> Token<'a> {
    /// The token in an `Authorization` header: the scheme `NHSMESH` (any case), one space, and
    /// five parts separated by colons. `None` for anything else.
    pub fn parse(header: &'a str) -> Option<Self> {
        let (scheme, rest) = header.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("NHSMESH") {
            return None;
        }
        let mut parts = rest.trim().split(':');
        let token = Token {
            mailbox: parts.next()?,
            nonce: parts.next()?,
            nonce_count: parts.next()?,
            timestamp: parts.next()?,
            hmac: parts.next()?,
        };
        let well_formed = parts.next().is_none()
            && !token.mailbox.is_empty()
            && token.mailbox.len() <= 100
            && !token.nonce.is_empty()
            && token.nonce.len() <= 100
            && token.count().is_some()
            && token.time().is_some()
            && token.hmac.len() == 64;
        well_formed.then_some(token)
    }

    /// The nonce count as a number.
    pub fn count(&self) -> Option<i64> {
        if self.nonce_count.is_empty()
            || self.nonce_count.len() > 18
            || !self.nonce_count.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        self.nonce_count.parse().ok()
    }

    /// The timestamp (`yyyyMMddHHmm`, UTC) in seconds since 1970.
    pub fn time(&self) -> Option<i64> {
        let t = self.timestamp;
        if t.len() != 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let field = |range: std::ops::Range<usize>| t[range].parse::<i64>().ok();
        let (year, month, day, hour, minute) = (
            field(0..4)?,
            field(4..6)?,
            field(6..8)?,
            field(8..10)?,
            field(10..12)?,
        );
        let valid =
            (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60;
        valid.then(|| super::unix_time(year, month, day, hour, minute))
    }

    /// Whether the token was made at a time within the window around `now`. The timestamp has
    /// whole minutes, so a token made during the minute after `now - WINDOW` still counts.
    pub fn is_timely(&self, now: i64) -> bool {
        self.time()
            .is_some_and(|t| t + 60 > now - WINDOW_SECONDS && t <= now + WINDOW_SECONDS)
    }

    /// Whether its HMAC is the one `password` and `shared_key` give. Compared in constant time,
    /// whatever the case of the hex digits.
    pub fn is_signed_with(&self, password: &str, shared_key: &[u8]) -> bool {
        let Ok(given) = data_encoding::HEXLOWER_PERMISSIVE.decode(self.hmac.as_bytes()) else {
            return false;
        };
        signer(self, password, shared_key)
            .verify_slice(&given)
            .is_ok()
    }
}

fn signer(token: &Token<'_>, password: &str, shared_key: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(shared_key).expect("HMAC takes any key length");
    for (i, part) in [
        token.mailbox,
        token.nonce,
        token.nonce_count,
        password,
        token.timestamp,
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            mac.update(b":");
        }
        mac.update(part.as_bytes());
    }
    mac
}

/// A whole `Authorization` header value for `mailbox` (what a client sends), for tests and tools.
pub fn make_token(
    mailbox: &str,
    password: &str,
    shared_key: &[u8],
    nonce: &str,
    nonce_count: u64,
    timestamp: &str,
) -> String {
    let count = nonce_count.to_string();
    let token = Token {
        mailbox,
        nonce,
        nonce_count: &count,
        timestamp,
        hmac: "",
    };
    let hmac = data_encoding::HEXLOWER
        .encode(&signer(&token, password, shared_key).finalize().into_bytes());
    format!("NHSMESH {mailbox}:{nonce}:{count}:{timestamp}:{hmac}")
}

/// The current minute as a token's timestamp.
pub fn timestamp_of(unix: i64) -> String {
    super::mesh_timestamp(unix)[..12].to_owned()
}

/// How long credentials read from the database are used before they are read again: a new
/// password or a suspension takes effect within this time on every instance.
pub const CREDENTIALS_SECONDS: i64 = 1;

/// A mailbox's status and sealed API password, as last read, by Mailbox ID. A token is checked
/// on every request; reading these once a second instead of every time spares a query a request.
#[derive(Default)]
pub struct CredentialCache {
    /// (when read by the service's clock, what was read).
    entries: std::sync::Mutex<std::collections::HashMap<String, (i64, Credentials)>>,
}

/// (status, sealed API password); `None` for no such mailbox.
type Credentials = Option<(MailboxStatus, Option<String>)>;

impl std::fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialCache(..)")
    }
}

impl CredentialCache {
    fn fresh(&self, mailbox: &str, now: i64) -> Option<Credentials> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(mailbox)
            .filter(|(at, _)| (0..CREDENTIALS_SECONDS).contains(&(now - at)))
            .map(|(_, credentials)| credentials.clone())
    }

    fn keep(&self, mailbox: &str, credentials: Credentials, now: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 10_000 {
            entries.retain(|_, (at, _)| now - *at < CREDENTIALS_SECONDS);
        }
        entries.insert(mailbox.to_owned(), (now, credentials));
    }
}

/// Why a token was refused (logged, never told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Malformed,
    OtherMailbox,
    Stale,
    UnknownMailbox,
    Inactive,
    WrongSignature,
    Replayed,
}

/// The mailbox a request may act for: the one in the path, when the request's token is good.
pub async fn authenticate(
    state: &AppState,
    path_mailbox: &str,
    header: Option<&str>,
) -> Result<String, MeshError> {
    let mailbox = path_mailbox.trim().to_ascii_uppercase();
    match check(state, &mailbox, header).await? {
        Ok(()) => Ok(mailbox),
        Err(refusal) => {
            tracing::info!(mailbox.id = %mailbox, reason = ?refusal, "MESH API token refused");
            Err(MeshError::forbidden())
        }
    }
}

/// The mailbox of a request whose path names none (endpoint lookup): the token's, when there is
/// a token; `None` without one. A token that is there must be good.
pub async fn optional_mailbox(
    state: &AppState,
    header: Option<&str>,
) -> Result<Option<String>, MeshError> {
    let Some(header) = header.filter(|h| !h.trim().is_empty()) else {
        return Ok(None);
    };
    let mailbox = Token::parse(header)
        .map(|t| t.mailbox.to_owned())
        .unwrap_or_default();
    authenticate(state, &mailbox, Some(header)).await.map(Some)
}

async fn check(
    state: &AppState,
    mailbox: &str,
    header: Option<&str>,
) -> Result<Result<(), Refusal>, MeshError> {
    let Some(header) = header else {
        return Ok(Err(Refusal::Missing));
    };
    let Some(token) = Token::parse(header) else {
        return Ok(Err(Refusal::Malformed));
    };
    if token.mailbox != mailbox {
        return Ok(Err(Refusal::OtherMailbox));
    }
    let now = state.clock.now();
    if !token.is_timely(now) {
        return Ok(Err(Refusal::Stale));
    }
    let mut conn = state.db.pool.acquire().await?;
    let credentials = match state.mesh_credentials.fresh(mailbox, now) {
        Some(credentials) => credentials,
        None => {
            let read = repo::api_credentials(&mut conn, mailbox).await?;
            state.mesh_credentials.keep(mailbox, read.clone(), now);
            read
        }
    };
    let Some((status, sealed)) = credentials else {
        return Ok(Err(Refusal::UnknownMailbox));
    };
    if status != MailboxStatus::Active {
        return Ok(Err(Refusal::Inactive));
    }
    let Some(password) = sealed.and_then(|sealed| {
        crate::service_desk::decide::api_password(&state.secret_key, &sealed).ok()
    }) else {
        return Ok(Err(Refusal::UnknownMailbox));
    };
    if !token.is_signed_with(&password, &state.config.mesh.shared_key.0) {
        return Ok(Err(Refusal::WrongSignature));
    }
    let count = token.count().unwrap_or_default();
    let keep_until = token.time().unwrap_or(now) + WINDOW_SECONDS + 60;
    if !api_nonces::use_nonce(&mut conn, mailbox, token.nonce, count, keep_until).await? {
        return Ok(Err(Refusal::Replayed));
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"TestKey";

    #[test]
    fn a_token_made_as_mesh_client_makes_it_is_read_and_verified() {
        // What mesh-client 5.0.2's AuthTokenGenerator printed for these values (its nonce and
        // clock fixed), byte for byte.
        let from_mesh_client = "NHSMESH X26ABC1:4a2b7f3e-0d1c-4e2f-9a8b-1c2d3e4f5a6b:0:202611300912:\
             efd98e94eda27efd3e71938632ba079c77ad69a51e9c07d0384e8e4c984659d2";
        let header = make_token(
            "X26ABC1",
            "password",
            KEY,
            "4a2b7f3e-0d1c-4e2f-9a8b-1c2d3e4f5a6b",
            0,
            "202611300912",
        );
        assert_eq!(header, from_mesh_client);
        let token = Token::parse(&header).expect("well formed");
        assert_eq!(token.mailbox, "X26ABC1");
        assert_eq!(token.nonce_count, "0");
        assert!(token.is_signed_with("password", KEY));
        assert!(!token.is_signed_with("passwore", KEY), "another password");
        assert!(
            !token.is_signed_with("password", b"OtherKey"),
            "another shared key"
        );
    }

    #[test]
    fn the_hmac_is_compared_whatever_the_case_of_its_hex() {
        let header = make_token("X26ABC1", "pw", KEY, "n", 3, "202611300912");
        let upper = format!(
            "{}{}",
            &header[..header.len() - 64],
            header[header.len() - 64..].to_uppercase()
        );
        assert_ne!(upper, header);
        assert!(Token::parse(&upper).unwrap().is_signed_with("pw", KEY));
    }

    #[test]
    fn malformed_headers_are_not_tokens() {
        let good = make_token("X26ABC1", "pw", KEY, "n", 3, "202611300912");
        let hmac = &good[good.len() - 64..];
        let cases = [
            String::new(),
            "NHSMESH".to_owned(),
            format!("Basic X26ABC1:n:3:202611300912:{hmac}"),
            "NHSMESH X26ABC1:n:3:202611300912".to_owned(),
            format!("NHSMESH X26ABC1:n:3:202611300912:{hmac}:extra"),
            format!("NHSMESH X26ABC1:n:three:202611300912:{hmac}"),
            format!("NHSMESH X26ABC1:n:-1:202611300912:{hmac}"),
            format!("NHSMESH X26ABC1:n:3:2026113009:{hmac}"),
            format!("NHSMESH X26ABC1:n:3:202613300912:{hmac}"),
            format!("NHSMESH X26ABC1:n:3:202611302460:{hmac}"),
            format!("NHSMESH :n:3:202611300912:{hmac}"),
            format!("NHSMESH X26ABC1::3:202611300912:{hmac}"),
            format!("NHSMESH X26ABC1:n:3:202611300912:{}", &hmac[1..]),
        ];
        for case in cases {
            assert_eq!(Token::parse(&case), None, "{case:?}");
        }
        assert!(
            Token::parse(&good.replace("NHSMESH", "nhsmesh")).is_some(),
            "the scheme's case is free"
        );
    }

    #[test]
    fn a_token_counts_only_within_two_hours_of_the_clock() {
        let now = super::super::unix_time(2026, 11, 30, 12, 0) + 30;
        let at = |h: i64, m: i64| {
            let header = make_token(
                "X",
                "pw",
                KEY,
                "n",
                0,
                &timestamp_of(super::super::unix_time(2026, 11, 30, h, m)),
            );
            Token::parse(&header).unwrap().is_timely(now)
        };
        assert!(at(12, 0));
        assert!(at(10, 0), "two hours before, to the minute");
        assert!(!at(9, 59));
        assert!(at(14, 0), "two hours ahead");
        assert!(!at(14, 1));
    }
}
