//! One-time passcodes from an authenticator app (TOTP, RFC 6238: HMAC-SHA1, 6 digits, 30-second
//! steps), which is what every common app (Microsoft and Google Authenticator, Authy) expects.
//! A code is accepted one step either side of now, so a phone's clock may be a little off, and
//! only once: the step of the last accepted code is kept and no code of that step or earlier
//! passes again.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Steps either side of now that are still accepted.
pub const TOLERANCE_STEPS: i64 = 1;
/// Bytes in a new secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;

/// An authenticator app's shared secret. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(redacted)")
    }
}

impl TotpSecret {
    /// A new random secret.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key as people type it into an app: base32 without padding, in groups of four.
    pub fn grouped_base32(&self) -> String {
        let text = data_encoding::BASE32_NOPAD.encode(&self.0);
        text.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `otpauth://` address a QR code carries, labelled with the service and the account.
    pub fn provisioning_uri(&self, issuer: &str, account: &str) -> String {
        let secret = data_encoding::BASE32_NOPAD.encode(&self.0);
        let issuer_enc = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer_enc}:{}?secret={secret}&issuer={issuer_enc}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
            percent_encode(account)
        )
    }

    /// The code for a step.
    pub fn code_at_step(&self, step: i64) -> String {
        let mut mac = Hmac::<Sha1>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(&(step as u64).to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = (digest[19] & 0x0f) as usize;
        let number = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        format!("{:06}", number % 1_000_000)
    }

    /// The step a code typed at `now` matches, if any, within the tolerance and later than
    /// `last_used_step`. The comparison takes the same time whatever the digits.
    pub fn verify(&self, code: &str, now: i64, last_used_step: Option<i64>) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let current = step_of(now);
        let mut found = None;
        for step in (current - TOLERANCE_STEPS)..=(current + TOLERANCE_STEPS) {
            let same = constant_time_eq(self.code_at_step(step).as_bytes(), code.as_bytes());
            if same && last_used_step.is_none_or(|last| step > last) && found.is_none() {
                found = Some(step);
            }
        }
        found
    }
}

/// The 30-second step a time falls in.
pub fn step_of(unix: i64) -> i64 {
    unix.div_euclid(STEP_SECONDS)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret and the last six digits of its expected codes.
    #[test]
    fn matches_the_rfc_6238_test_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        let vectors = [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ];
        for (time, code) in vectors {
            assert_eq!(secret.code_at_step(step_of(time)), code, "at {time}");
        }
    }

    #[test]
    fn accepts_codes_one_step_either_side_once_and_nothing_further() {
        let secret = TotpSecret::generate();
        let now = 1_800_000_015;
        let step = step_of(now);
        for offset in [-1, 0, 1] {
            let code = secret.code_at_step(step + offset);
            assert_eq!(secret.verify(&code, now, None), Some(step + offset));
            // Used once, that code and any earlier one are refused.
            assert_eq!(secret.verify(&code, now, Some(step + offset)), None);
        }
        for offset in [-2, 2] {
            let code = secret.code_at_step(step + offset);
            if (-1..=1).all(|o| secret.code_at_step(step + o) != code) {
                assert_eq!(secret.verify(&code, now, None), None, "offset {offset}");
            }
        }
        assert_eq!(secret.verify("12345", now, None), None);
        assert_eq!(secret.verify("abcdef", now, None), None);
    }

    #[test]
    fn shows_the_key_in_groups_and_never_in_debug_output() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        assert_eq!(
            secret.grouped_base32(),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
        assert_eq!(format!("{secret:?}"), "TotpSecret(redacted)");
        let uri = secret.provisioning_uri("MESH portal", "ada@nhs.net");
        assert_eq!(
            uri,
            "otpauth://totp/MESH%20portal:ada%40nhs.net?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=MESH%20portal&algorithm=SHA1&digits=6&period=30"
        );
    }
}
