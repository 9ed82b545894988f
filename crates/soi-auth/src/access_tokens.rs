//! Access tokens: short-lived JWTs with one fixed algorithm (HS256) and a
//! key from the configuration, carrying the principal and the account's
//! session version.

use crate::AuthError;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use soi_core::{CityId, CoachId, ParticipantId, Principal, Role};
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coach: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    participant: Option<Uuid>,
    /// The account's session version when the token was issued: a disabled
    /// account, another role or another password bumps it, and the gateway
    /// refuses tokens of an older version.
    #[serde(default)]
    ver: i32,
    iat: u64,
    exp: u64,
    iss: String,
}

/// What a valid access token grants: the principal, and the session
/// version it was issued under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub principal: Principal,
    pub version: i32,
}

const ISSUER: &str = "soi-platform";

/// Signs and verifies access tokens with one key and one algorithm.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Lifetime of an access token, in seconds.
    pub ttl_secs: u64,
}

impl TokenKeys {
    pub fn new(secret: &SecretString, ttl_secs: u64) -> Self {
        let key = secret.expose_secret().as_bytes();
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            ttl_secs,
        }
    }

    /// An access token for the principal at session version 1, valid from
    /// `now` (Unix seconds).
    pub fn issue(&self, p: &Principal, now: u64) -> Result<String, AuthError> {
        self.issue_session(p, 1, now)
    }

    /// An access token for the principal at the account's session `version`.
    pub fn issue_session(
        &self,
        p: &Principal,
        version: i32,
        now: u64,
    ) -> Result<String, AuthError> {
        let claims = Claims {
            sub: p.account(),
            role: p.role().code().to_owned(),
            city: p.city().map(|c| c.as_uuid()),
            coach: p.coach().map(|c| c.as_uuid()),
            participant: p.participant().map(|c| c.as_uuid()),
            ver: version,
            iat: now,
            exp: now + self.ttl_secs,
            iss: ISSUER.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| AuthError::Hashing)
    }

    /// The principal of a valid token. Only HS256 with our key is accepted
    /// (`alg: none` and every other algorithm fail), and expiry is enforced
    /// with no leeway.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        self.verify_session(token).map(|s| s.principal)
    }

    /// The principal and session version of a valid token (see [`Self::verify`]).
    pub fn verify_session(&self, token: &str) -> Result<Session, AuthError> {
        self.verify_session_until(token).map(|(session, _)| session)
    }

    /// [`Self::verify_session`] and the token's expiry (Unix seconds): a
    /// connection that outlives one request (a WebSocket) ends then.
    pub fn verify_session_until(&self, token: &str) -> Result<(Session, u64), AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| AuthError::InvalidToken)?;
        let c = data.claims;
        let role = Role::parse(&c.role).ok_or(AuthError::InvalidToken)?;
        let principal = Principal::new(
            c.sub,
            role,
            c.city.map(CityId::from),
            c.coach.map(CoachId::from),
            c.participant.map(ParticipantId::from),
        )
        .ok_or(AuthError::InvalidToken)?;
        Ok((
            Session {
                principal,
                version: c.ver,
            },
            c.exp,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&SecretString::from(secret.to_owned()), 900)
    }

    fn coach() -> Principal {
        Principal::new(
            Uuid::new_v4(),
            Role::Coach,
            Some(CityId::new()),
            Some(CoachId::new()),
            None,
        )
        .expect("valid")
    }

    #[test]
    fn a_token_round_trips() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let p = coach();
        let t = k
            .issue(
                &p,
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .expect("clock")
                    .as_secs(),
            )
            .expect("issue");
        assert_eq!(k.verify(&t), Ok(p));
    }

    #[test]
    fn a_session_token_carries_its_version_and_expiry() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let p = coach();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let t = k.issue_session(&p, 7, now).expect("issue");
        let (session, expires) = k.verify_session_until(&t).expect("valid");
        assert_eq!(
            session,
            Session {
                principal: p,
                version: 7
            }
        );
        assert_eq!(expires, now + 900);
    }

    #[test]
    fn expired_tampered_foreign_and_unsigned_tokens_fail() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let p = coach();
        let expired = k.issue(&p, 1_000).expect("issue");
        assert_eq!(k.verify(&expired), Err(AuthError::InvalidToken));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let good = k.issue(&p, now).expect("issue");
        let other = keys("another-key-another-key-another-k");
        assert_eq!(other.verify(&good), Err(AuthError::InvalidToken));
        // Change the role in the payload, keep the signature.
        let parts: Vec<&str> = good.split('.').collect();
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .expect("b64");
        let forged = String::from_utf8(payload)
            .expect("utf8")
            .replace("\"coach\"", "\"chapter_admin\"");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged),
            parts[2]
        );
        assert_eq!(k.verify(&forged), Err(AuthError::InvalidToken));
        // alg: none with no signature.
        let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(
            k.verify(&format!("{none_header}.{}.", parts[1])),
            Err(AuthError::InvalidToken)
        );
        assert_eq!(k.verify("not a token"), Err(AuthError::InvalidToken));
    }
}
