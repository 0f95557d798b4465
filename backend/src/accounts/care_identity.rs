//! NHS Care Identity Service 2 (CIS2) as this service's OpenID Connect provider: the
//! Authorization Code Flow with PKCE, `state` and `nonce`, the client authenticated with a signed
//! JWT (`private_key_jwt`, RS512) or a secret, the ID token checked (signature against the
//! issuer's published keys, fetched again once when a token names a key not yet seen, so the
//! issuer can rotate them; issuer, audience, expiry, issue time, nonce) and the person's roles
//! read from UserInfo. Who the identity is in this service, and whether they may sign in, is
//! [`super::sign_in::with_care_identity`]'s business.

use std::sync::Arc;

use openidconnect::core::{
    CoreAuthenticationFlow, CoreGenderClaim, CoreIdToken, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AccessToken, AuthType, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SubjectIdentifier, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use model::common::AccessRoute;

/// Where Care Identity sends people back, under the service's address.
pub const CALLBACK_PATH: &str = "/sign-in/cis2/callback";
/// Where Care Identity posts a logout token when someone logs out there (back-channel logout).
pub const BACKCHANNEL_LOGOUT_PATH: &str = "/sign-in/cis2/backchannel-logout";
/// The event a logout token carries (OpenID Connect Back-Channel Logout 1.0).
const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// How long a login may take at the issuer, from leaving this service to coming back.
pub const LOGIN_SECONDS: i64 = 10 * 60;
/// How far the issuer's clock may be ahead of this one for a token's issue time.
const CLOCK_SKEW_SECONDS: i64 = 60;
/// How long the issuer's metadata and keys are used before they are read again.
const METADATA_SECONDS: i64 = 3600;
/// What is asked of Care Identity: the identity, the email address, the RBAC roles with their
/// activity codes and the organisations.
const SCOPES: [&str; 4] = ["profile", "email", "nationalrbacaccess", "associatedorgs"];

/// How the service proves itself to the issuer's token endpoint.
#[derive(Clone)]
pub enum ClientCredential {
    Secret(String),
    /// An RSA private key (PEM) and the key ID the issuer knows it by.
    Key {
        pem: Arc<Vec<u8>>,
        key_id: Option<String>,
    },
}

impl std::fmt::Debug for ClientCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret(_) => f.write_str("Secret(redacted)"),
            Self::Key { key_id, .. } => f
                .debug_struct("Key")
                .field("pem", &"redacted")
                .field("key_id", key_id)
                .finish(),
        }
    }
}

/// Whether `pem` is an RSA private key this service can sign client assertions with.
pub fn check_client_key(pem: &[u8]) -> Result<(), String> {
    jsonwebtoken::EncodingKey::from_rsa_pem(pem)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The service's registration with Care Identity.
#[derive(Debug, Clone)]
pub struct Cis2Settings {
    pub issuer: String,
    pub client_id: String,
    pub credential: ClientCredential,
}

/// Two registrations are the same when they name the same issuer and client (a credential has no
/// equality worth comparing: a key or secret is never compared in the clear).
impl PartialEq for Cis2Settings {
    fn eq(&self, other: &Self) -> bool {
        self.issuer == other.issuer && self.client_id == other.client_id
    }
}

/// A login sent to the issuer, kept in the browser's (server-side) session until it comes back:
/// used once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub route: AccessRoute,
    pub at: i64,
}

/// What the issuer sent back to the callback.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Returned {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// One RBAC role of a person, as `nhsid_nrbac_roles` lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NrbacRole {
    #[serde(default)]
    pub org_code: String,
    #[serde(default)]
    pub role_code: String,
    #[serde(default)]
    pub role_name: String,
    #[serde(default)]
    pub activity_codes: Vec<String>,
}

/// A person as Care Identity vouched for them in this login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub sub: String,
    /// The person's Care Identity user ID: the 12-digit number on their smartcard.
    pub uid: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    /// `acr` as the ID token gave it.
    pub acr: String,
    /// The authentication assurance level `acr` stands for (3: smartcard; 2: authenticator).
    pub level: u8,
    pub roles: Vec<NrbacRole>,
    /// The issuer's session (`sid`), which a back-channel logout names.
    pub sid: Option<String>,
    /// The ID token itself, for the issuer's end-session endpoint at log-out.
    pub id_token: String,
}

/// Whom a back-channel logout logs out: a person (`sub`: every session of theirs from before
/// it), or one session at the issuer (`sid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedOut {
    pub sub: Option<String>,
    pub sid: Option<String>,
}

/// Why a login through Care Identity did not work: each says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Cis2Failure {
    #[error("You cancelled logging in with your Care Identity. Log in again when you are ready")]
    Cancelled,
    #[error(
        "Care Identity could not log you in ({0}). Try again, and if it happens again ask your \
         Registration Authority"
    )]
    Refused(String),
    #[error(
        "This login was not started here, or has been used already. Start again from the login \
         page"
    )]
    NotStartedHere,
    #[error("Your login took more than 10 minutes. Start again from the login page")]
    TookTooLong,
    #[error("The login from Care Identity has expired. Start again from the login page")]
    Expired,
    #[error(
        "The answer from Care Identity could not be checked, so you have not been logged in. \
         Start again; if it happens again, tell the service desk"
    )]
    Unverified(String),
    #[error("NHS Care Identity is not answering. Try again in a few minutes")]
    IssuerDown(String),
}

/// The issuer's metadata and keys, as read last.
struct Discovered {
    metadata: ProviderMetadataWithLogout,
    at: i64,
}

/// This service's Care Identity client: one per process, shared by every request.
pub struct CareIdentity {
    settings: Cis2Settings,
    redirect_url: RedirectUrl,
    signed_out_url: PostLogoutRedirectUrl,
    http: openidconnect::reqwest::Client,
    discovered: RwLock<Option<Discovered>>,
}

impl std::fmt::Debug for CareIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CareIdentity")
            .field("issuer", &self.settings.issuer)
            .finish_non_exhaustive()
    }
}

/// The service's own address for a path.
fn under(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// The authentication assurance level an `acr` value names: `AAL3_ANY` is 3, `AAL2_OR_ABOVE` 2.
pub fn level_of(acr: &str) -> u8 {
    acr.strip_prefix("AAL")
        .unwrap_or(acr)
        .chars()
        .next()
        .and_then(|c| c.to_digit(10))
        .map_or(0, |d| d as u8)
}

/// UserInfo's claims beyond the standard ones.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct Cis2Claims {
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    nhsid_useruid: Option<String>,
    #[serde(default)]
    nhsid_nrbac_roles: Vec<NrbacRole>,
}

impl openidconnect::AdditionalClaims for Cis2Claims {}

/// The ID token's claims beyond the standard ones: the issuer's session.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct Cis2IdClaims {
    #[serde(default)]
    sid: Option<String>,
}

impl openidconnect::AdditionalClaims for Cis2IdClaims {}

/// A logout token's claims (the signature, issuer and audience are checked by the decoder).
#[derive(Debug, Deserialize)]
struct LogoutClaims {
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    sid: Option<String>,
    #[serde(default)]
    events: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    nonce: Option<serde_json::Value>,
    iat: i64,
}

/// The claims a client assertion carries (RFC 7523).
#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: String,
    iat: i64,
    exp: i64,
}

impl CareIdentity {
    /// A client for `settings`, under the service's `base_url`. Nothing is fetched yet: the
    /// issuer is read at the first login, so that the service starts while it is away.
    pub fn new(settings: Cis2Settings, base_url: &str) -> Result<Self, String> {
        let redirect_url =
            RedirectUrl::new(under(base_url, CALLBACK_PATH)).map_err(|e| e.to_string())?;
        let signed_out_url = PostLogoutRedirectUrl::new(under(base_url, "/sign-out?done=1"))
            .map_err(|e| e.to_string())?;
        let http = openidconnect::reqwest::Client::builder()
            // The issuer's answers are read as they are: following a redirect would let one
            // send this service anywhere.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            settings,
            redirect_url,
            signed_out_url,
            http,
            discovered: RwLock::new(None),
        })
    }

    /// The issuer's address.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// The issuer's origin (`https://host:port`): the pages' forms may lead there (logging in and
    /// out), so their Content-Security-Policy names it.
    pub fn origin(&self) -> String {
        openidconnect::url::Url::parse(&self.settings.issuer)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default()
    }

    /// The issuer's metadata and keys: as read within the hour, or read again (`fresh`: now).
    async fn metadata(
        &self,
        now: i64,
        fresh: bool,
    ) -> Result<ProviderMetadataWithLogout, Cis2Failure> {
        if !fresh
            && let Some(found) = self.discovered.read().await.as_ref()
            && now - found.at < METADATA_SECONDS
        {
            return Ok(found.metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| Cis2Failure::IssuerDown(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "Care Identity's metadata could not be read");
                Cis2Failure::IssuerDown(error.to_string())
            })?;
        *self.discovered.write().await = Some(Discovered {
            metadata: metadata.clone(),
            at: now,
        });
        Ok(metadata)
    }

    fn client(&self, metadata: ProviderMetadataWithLogout) -> CoreClientOf {
        let secret = match &self.settings.credential {
            ClientCredential::Secret(secret) => Some(ClientSecret::new(secret.clone())),
            ClientCredential::Key { .. } => None,
        };
        let client = CoreClientOf::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            secret,
        )
        .set_redirect_uri(self.redirect_url.clone());
        match self.settings.credential {
            // The client ID goes in the body beside the assertion.
            ClientCredential::Key { .. } => client.set_auth_type(AuthType::RequestBody),
            ClientCredential::Secret(_) => client,
        }
    }

    /// A login to send the person on: the issuer's address with a new `state`, `nonce` and PKCE
    /// challenge, asking for a smartcard's level over HSCN and an authenticator's over the
    /// internet; and what to keep until they come back.
    pub async fn start(
        &self,
        route: AccessRoute,
        now: i64,
    ) -> Result<(String, PendingLogin), Cis2Failure> {
        let client = self.client(self.metadata(now, false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let wanted = match route {
            AccessRoute::Hscn => "AAL3_ANY",
            AccessRoute::Internet => "AAL2_OR_ABOVE",
        };
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in SCOPES {
            request = request.add_scope(Scope::new(scope.to_owned()));
        }
        let (url, state, nonce) = request
            .add_extra_param("acr_values", wanted)
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url.to_string(),
            PendingLogin {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                route,
                at: now,
            },
        ))
    }

    /// The person back from the issuer: the answer checked against the login this browser
    /// started, the code exchanged, the ID token verified and UserInfo read.
    pub async fn finish(
        &self,
        pending: Option<PendingLogin>,
        returned: &Returned,
        now: i64,
    ) -> Result<Identity, Cis2Failure> {
        let pending = pending.ok_or(Cis2Failure::NotStartedHere)?;
        if returned.state.as_deref() != Some(pending.state.as_str()) {
            return Err(Cis2Failure::NotStartedHere);
        }
        if let Some(error) = &returned.error {
            return Err(match error.as_str() {
                "access_denied" => Cis2Failure::Cancelled,
                _ => Cis2Failure::Refused(error.clone()),
            });
        }
        if now - pending.at > LOGIN_SECONDS {
            return Err(Cis2Failure::TookTooLong);
        }
        let code = returned
            .code
            .clone()
            .ok_or_else(|| Cis2Failure::Refused("no code".into()))?;
        let metadata = self.metadata(now, false).await?;
        let token_url = metadata
            .token_endpoint()
            .map(|url| url.as_str().to_owned())
            .ok_or_else(|| Cis2Failure::IssuerDown("no token endpoint".into()))?;
        let client = self.client(metadata);
        let mut request = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Cis2Failure::IssuerDown(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()));
        if let ClientCredential::Key { pem, key_id } = &self.settings.credential {
            let assertion = self.assertion(pem, key_id.as_deref(), &token_url)?;
            request = request
                .add_extra_param(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                )
                .add_extra_param("client_assertion", assertion);
        }
        let tokens = request.request_async(&self.http).await.map_err(|error| {
            tracing::info!(%error, "Care Identity refused the code");
            match error {
                openidconnect::RequestTokenError::ServerResponse(answer) => {
                    Cis2Failure::Refused(answer.error().to_string())
                }
                other => Cis2Failure::IssuerDown(other.to_string()),
            }
        })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| Cis2Failure::Unverified("no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let (sub, acr, sid) = match self.verify(&client, id_token, &nonce, now) {
            // A key not seen yet: the issuer may have rotated its keys. Read them again, once.
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                let client = self.client(self.metadata(now, true).await?);
                self.verify(&client, id_token, &nonce, now)
            }
            other => other,
        }
        .map_err(|error| match error {
            ClaimsVerificationError::Expired(_) => Cis2Failure::Expired,
            other => {
                tracing::warn!(error = %other, "an ID token from Care Identity was refused");
                Cis2Failure::Unverified(other.to_string())
            }
        })?;
        let info: UserInfoClaims<Cis2Claims, CoreGenderClaim> = client
            .user_info(
                AccessToken::new(tokens.access_token().secret().clone()),
                Some(SubjectIdentifier::new(sub.clone())),
            )
            .map_err(|e| Cis2Failure::IssuerDown(e.to_string()))?
            .request_async(&self.http)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "Care Identity's UserInfo could not be read");
                Cis2Failure::IssuerDown(error.to_string())
            })?;
        let extra = info.additional_claims();
        Ok(Identity {
            sub,
            uid: extra.uid.clone().or_else(|| extra.nhsid_useruid.clone()),
            email: info.email().map(|e| e.as_str().to_lowercase()),
            name: info
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            level: level_of(&acr),
            acr,
            roles: extra.nhsid_nrbac_roles.clone(),
            sid,
            id_token: id_token.to_string(),
        })
    }

    /// The ID token's subject, `acr` and issuer session, if it passes every check.
    fn verify(
        &self,
        client: &CoreClientOf,
        id_token: &Cis2IdToken,
        nonce: &Nonce,
        now: i64,
    ) -> Result<(String, String, Option<String>), ClaimsVerificationError> {
        let at = |seconds: i64| chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
        let verifier = client
            .id_token_verifier()
            .set_time_fn(move || at(now))
            .set_issue_time_verifier_fn(move |issued| {
                let issued = issued.timestamp();
                if issued > now + CLOCK_SKEW_SECONDS {
                    Err(format!("issued {}s in the future", issued - now))
                } else if issued < now - LOGIN_SECONDS {
                    Err(format!("issued {}s ago", now - issued))
                } else {
                    Ok(())
                }
            });
        let claims = id_token.claims(&verifier, nonce)?;
        let acr = claims
            .auth_context_ref()
            .map(|acr| acr.as_str().to_owned())
            .unwrap_or_default();
        Ok((
            claims.subject().as_str().to_owned(),
            acr,
            claims.additional_claims().sid.clone(),
        ))
    }

    /// A logout token the issuer posted: signed with one of its published keys (read again once
    /// for a key not seen yet), from this issuer, for this client, recent, with the back-channel
    /// logout event, no nonce, and naming a person or a session.
    pub async fn logged_out(&self, token: &str, now: i64) -> Result<LoggedOut, String> {
        use jsonwebtoken::{
            Algorithm, DecodingKey, Validation, decode, decode_header, jwk::JwkSet,
        };
        let header = decode_header(token).map_err(|e| e.to_string())?;
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::ES256
        ) {
            return Err(format!(
                "{:?} is not an algorithm the issuer signs with",
                header.alg
            ));
        }
        for fresh in [false, true] {
            let metadata = self.metadata(now, fresh).await.map_err(|e| e.to_string())?;
            let keys: JwkSet = serde_json::to_value(metadata.jwks())
                .and_then(serde_json::from_value)
                .map_err(|e| e.to_string())?;
            let key = match &header.kid {
                Some(kid) => keys.find(kid),
                None if keys.keys.len() == 1 => keys.keys.first(),
                None => None,
            };
            let Some(key) = key else {
                continue;
            };
            let key = DecodingKey::from_jwk(key).map_err(|e| e.to_string())?;
            let mut validation = Validation::new(header.alg);
            validation.set_issuer(&[&self.settings.issuer]);
            validation.set_audience(&[&self.settings.client_id]);
            validation.set_required_spec_claims(&["iss", "aud", "iat"]);
            validation.validate_exp = false;
            let claims = decode::<LogoutClaims>(token, &key, &validation)
                .map_err(|e| e.to_string())?
                .claims;
            if !claims.events.contains_key(BACKCHANNEL_EVENT) {
                return Err("not a logout event".into());
            }
            if claims.nonce.is_some() {
                return Err("a logout token has no nonce".into());
            }
            if claims.iat > now + CLOCK_SKEW_SECONDS || claims.iat < now - LOGIN_SECONDS {
                return Err("issued at another time".into());
            }
            if claims.sub.is_none() && claims.sid.is_none() {
                return Err("names nobody".into());
            }
            return Ok(LoggedOut {
                sub: claims.sub,
                sid: claims.sid,
            });
        }
        Err("signed with a key the issuer does not publish".into())
    }

    /// The signed JWT that stands for a client secret (RS512, lasting five minutes).
    fn assertion(
        &self,
        pem: &[u8],
        key_id: Option<&str>,
        token_url: &str,
    ) -> Result<String, Cis2Failure> {
        use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
        let key = EncodingKey::from_rsa_pem(pem)
            .map_err(|e| Cis2Failure::Unverified(format!("the client key: {e}")))?;
        let mut header = Header::new(Algorithm::RS512);
        header.kid = key_id.map(str::to_owned);
        // The issuer judges the assertion by the time of day, whatever this service's clock says.
        let now = crate::now_unix();
        let claims = Assertion {
            iss: &self.settings.client_id,
            sub: &self.settings.client_id,
            aud: token_url,
            jti: crate::crypto::random_token(),
            iat: now,
            exp: now + 300,
        };
        encode(&header, &claims, &key).map_err(|e| Cis2Failure::Unverified(e.to_string()))
    }

    /// Where to send someone who logs out after a Care Identity login: the issuer's end-session
    /// endpoint, when it has one, coming back to this service's "logged out" page.
    pub async fn end_session_url(&self, id_token: &str, now: i64) -> Option<String> {
        let metadata = self.metadata(now, false).await.ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let hint: CoreIdToken = id_token.parse().ok()?;
        Some(
            LogoutRequest::from(endpoint)
                .set_id_token_hint(&hint)
                .set_client_id(ClientId::new(self.settings.client_id.clone()))
                .set_post_logout_redirect_uri(self.signed_out_url.clone())
                .http_get_url()
                .to_string(),
        )
    }
}

/// The token endpoint's answer, its ID token with the issuer's session.
type Cis2TokenResponse = openidconnect::StandardTokenResponse<
    openidconnect::IdTokenFields<
        Cis2IdClaims,
        openidconnect::EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    openidconnect::core::CoreTokenType,
>;

/// An ID token from Care Identity.
type Cis2IdToken = openidconnect::IdToken<
    Cis2IdClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// The client type [`CareIdentity::client`] makes.
type CoreClientOf = openidconnect::Client<
    Cis2IdClaims,
    openidconnect::core::CoreAuthDisplay,
    CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    Cis2TokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_acr_names_its_assurance_level() {
        assert_eq!(level_of("AAL3_ANY"), 3);
        assert_eq!(level_of("AAL2_OR_ABOVE"), 2);
        assert_eq!(level_of("AAL1_USERPASS"), 1);
        assert_eq!(level_of("3"), 3);
        assert_eq!(level_of(""), 0);
        assert_eq!(level_of("unknown"), 0);
    }
}
