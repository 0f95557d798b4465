//! Secrets that must be read back (an authenticator app's key) are sealed with AES-256-GCM under
//! the service's secret key, a fresh random nonce each time; secrets that need only be checked
//! (one-time links, emailed codes, session IDs) are kept as SHA-256 hashes; PINs as argon2id.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

const NONCE_BYTES: usize = 12;

/// The key that seals stored secrets: 32 bytes from configuration. Its `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(redacted)")
    }
}

/// Why a configured key cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretKeyError {
    #[error(
        "must be 32 bytes written in base64 (44 characters, e.g. from `openssl rand -base64 32`)"
    )]
    Format,
}

/// Why a sealed secret could not be opened: the key is not the one it was sealed with, or the
/// stored text was changed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a stored secret could not be opened with the configured key")]
pub struct OpenError;

impl SecretKey {
    /// Reads a key written in base64.
    pub fn from_base64(text: &str) -> Result<Self, SecretKeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| SecretKeyError::Format)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SecretKeyError::Format)?;
        Ok(Self(bytes))
    }

    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The key in base64, to write to a key file.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Seals `plain`: base64 of nonce then ciphertext and tag.
    pub fn seal(&self, plain: &[u8]) -> String {
        let cipher = Aes256Gcm::new((&self.0).into());
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .expect("AES-GCM encryption of a short secret cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        STANDARD.encode(out)
    }

    /// Opens what [`SecretKey::seal`] made.
    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, OpenError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| OpenError)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(OpenError);
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        Aes256Gcm::new((&self.0).into())
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| OpenError)
    }
}

/// A random token for a link: 32 bytes, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A random code of six digits, for email passcodes.
pub fn random_six_digits() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000))
}

/// The SHA-256 of a secret, in hex: what is stored for tokens and codes.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a PIN with argon2id (on a blocking thread: it is slow on purpose).
pub async fn hash_pin(pin: &model::accounts::Pin) -> String {
    hash_secret(pin.expose().to_owned()).await
}

/// Hashes a secret (a PIN, a mailbox's API password) with argon2id, on a blocking thread.
pub async fn hash_secret(secret: String) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(secret.as_bytes(), &salt)
            .expect("argon2 hashes any secret")
            .to_string()
    })
    .await
    .expect("the hashing task does not panic")
}

/// A new password of `length` characters from an alphabet without look-alikes.
pub fn random_password(length: usize) -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    (0..length)
        .map(|_| ALPHABET[rand::Rng::random_range(&mut rng, 0..ALPHABET.len())] as char)
        .collect()
}

/// Checks a typed PIN against a stored hash (on a blocking thread). A hash that cannot be read
/// matches nothing.
pub async fn verify_pin(typed: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let typed = typed.to_owned();
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(typed.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// Spends about the time a PIN check takes, for unknown accounts, so that an unknown email and a
/// wrong PIN take as long as each other.
pub async fn verify_pin_against_nothing(typed: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
        argon2::Argon2::default()
            .hash_password(b"not a pin", &SaltString::generate(&mut OsRng))
            .expect("argon2 hashes a constant")
            .to_string()
    });
    let _ = verify_pin(typed, hash).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_with_their_key_only() {
        let key = SecretKey::generate();
        let sealed = key.seal(b"a totp secret");
        assert_ne!(
            sealed,
            key.seal(b"a totp secret"),
            "a fresh nonce each time"
        );
        assert!(!sealed.contains("a totp secret"));
        assert_eq!(key.open(&sealed).unwrap(), b"a totp secret");
        assert_eq!(SecretKey::generate().open(&sealed), Err(OpenError));
        let mut tampered = STANDARD.decode(&sealed).unwrap();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(key.open(&STANDARD.encode(tampered)), Err(OpenError));
        assert_eq!(key.open("not base64!"), Err(OpenError));
    }

    #[test]
    fn reads_keys_written_in_base64_and_refuses_others() {
        let key = SecretKey::generate();
        let again = SecretKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(again.open(&key.seal(b"x")).unwrap(), b"x");
        assert_eq!(
            SecretKey::from_base64("c2hvcnQ=").unwrap_err(),
            SecretKeyError::Format
        );
        assert_eq!(
            SecretKey::from_base64("not base64").unwrap_err(),
            SecretKeyError::Format
        );
        assert_eq!(format!("{key:?}"), "SecretKey(redacted)");
    }

    #[test]
    fn tokens_are_long_random_and_stored_as_hashes() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
        let code = random_six_digits();
        assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    }

    #[tokio::test]
    async fn pins_are_hashed_with_argon2id_and_checked() {
        let pin = model::accounts::Pin::parse("482913").unwrap();
        let hash = hash_pin(&pin).await;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_pin("482913", &hash).await);
        assert!(!verify_pin("482914", &hash).await);
        assert!(!verify_pin("482913", "garbage").await);
    }
}
