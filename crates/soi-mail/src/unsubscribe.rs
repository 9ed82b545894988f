//! Unsubscribe links: a signed token names the city and the address, and
//! when the link stops working. HMAC-SHA256 under `SOI_UNSUBSCRIBE_SECRET`
//! over `v1 ‖ city id ‖ expiry ‖ address`, base64url, so a link cannot be
//! made for an address it was not sent to, and nothing needs storing until
//! someone uses it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use soi_core::CityId;

/// How long a link in an email keeps working.
pub const LINK_TTL_DAYS: i64 = 365;
const VERSION: &[u8] = b"v1";

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not made with our secret (or damaged).
    Forged,
    /// Genuine, but its time is up.
    Expired,
}

/// Who a valid token unsubscribes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscriber {
    pub city: CityId,
    /// Lower case.
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

/// Signs and checks tokens; builds the links emails carry.
#[derive(Clone)]
pub struct Links {
    secret: SecretString,
    base_url: String,
}

impl Links {
    /// `base_url` is `SOI_PUBLIC_URL`, e.g. `https://soi.kz`.
    pub fn new(secret: SecretString, base_url: &str) -> Self {
        Self {
            secret,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Where the links point (`SOI_PUBLIC_URL`, no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn mac(&self) -> Hmac<sha2::Sha256> {
        // HMAC takes a key of any length: this cannot fail.
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.secret.expose_secret().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
    }

    /// The token for `email` in `city`, valid until `expires_at`.
    pub fn token(&self, city: CityId, email: &str, expires_at: DateTime<Utc>) -> String {
        let mut msg = VERSION.to_vec();
        msg.extend_from_slice(city.as_uuid().as_bytes());
        msg.extend_from_slice(&expires_at.timestamp().to_be_bytes());
        msg.extend_from_slice(email.trim().to_lowercase().as_bytes());
        let mut mac = self.mac();
        mac.update(&msg);
        let sig = mac.finalize().into_bytes();
        format!("{}.{}", B64.encode(&msg), B64.encode(sig))
    }

    /// The link an email to `email` in `city` carries.
    pub fn url(&self, city: CityId, email: &str) -> String {
        let expires = Utc::now() + Duration::days(LINK_TTL_DAYS);
        format!(
            "{}/unsubscribe?t={}",
            self.base_url,
            self.token(city, email, expires)
        )
    }

    /// Checks the signature (in constant time) before reading anything.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Unsubscriber, TokenError> {
        let (msg, sig) = token.trim().split_once('.').ok_or(TokenError::Forged)?;
        let msg = B64.decode(msg).map_err(|_| TokenError::Forged)?;
        let sig = B64.decode(sig).map_err(|_| TokenError::Forged)?;
        let mut mac = self.mac();
        mac.update(&msg);
        mac.verify_slice(&sig).map_err(|_| TokenError::Forged)?;
        let rest = msg.strip_prefix(VERSION).ok_or(TokenError::Forged)?;
        if rest.len() < 16 + 8 {
            return Err(TokenError::Forged);
        }
        let (city, rest) = rest.split_at(16);
        let (expiry, email) = rest.split_at(8);
        let city = uuid::Uuid::from_slice(city).map_err(|_| TokenError::Forged)?;
        let expiry = i64::from_be_bytes(expiry.try_into().map_err(|_| TokenError::Forged)?);
        let expires_at = DateTime::from_timestamp(expiry, 0).ok_or(TokenError::Forged)?;
        let email = String::from_utf8(email.to_vec()).map_err(|_| TokenError::Forged)?;
        if expires_at <= now {
            return Err(TokenError::Expired);
        }
        Ok(Unsubscriber {
            city: CityId::from(city),
            email,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_refuse_forgeries_and_old_links() {
        let links = Links::new("secret-0123456789".to_owned().into(), "https://soi.kz/");
        let city = CityId::new();
        let later = Utc::now() + Duration::days(1);
        let t = links.token(city, "Dana@Mail.KZ", later);
        let who = links.verify(&t, Utc::now()).expect("valid");
        assert_eq!((who.city, who.email.as_str()), (city, "dana@mail.kz"));
        assert_eq!(
            links.verify(&t, later + Duration::seconds(1)),
            Err(TokenError::Expired)
        );
        let other = Links::new("another-secret-0123".to_owned().into(), "https://soi.kz");
        assert_eq!(other.verify(&t, Utc::now()), Err(TokenError::Forged));
        assert_eq!(links.verify("abc", Utc::now()), Err(TokenError::Forged));
        let (msg, sig) = t.split_once('.').expect("dot");
        let tampered = format!("{}A.{sig}", &msg[..msg.len() - 1]);
        assert_eq!(links.verify(&tampered, Utc::now()), Err(TokenError::Forged));
        assert!(
            links
                .url(city, "a@b.kz")
                .starts_with("https://soi.kz/unsubscribe?t=")
        );
    }
}
