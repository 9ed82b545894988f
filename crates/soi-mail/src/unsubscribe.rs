//! Unsubscribe links: a signed token names the city and a random link id,
//! nothing else. HMAC-SHA256 under `SOI_UNSUBSCRIBE_SECRET` over
//! `v2 ‖ city id ‖ link id`, base64url, so a link cannot be made up; the id
//! names a row (`soi_db::mail::unsubscribe_links`) holding the address, so
//! the link shows no address to whoever sees it, and revoking the row ends it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use soi_core::CityId;
use uuid::Uuid;

const VERSION: &[u8] = b"v2";

/// A token that is not ours (or damaged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forged;

/// What a genuine token names: look the link up in the city to find whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRef {
    pub city: CityId,
    pub link: Uuid,
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

    /// The token of link `link` of `city`.
    pub fn token(&self, city: CityId, link: Uuid) -> String {
        let mut msg = VERSION.to_vec();
        msg.extend_from_slice(city.as_uuid().as_bytes());
        msg.extend_from_slice(link.as_bytes());
        let mut mac = self.mac();
        mac.update(&msg);
        let sig = mac.finalize().into_bytes();
        format!("{}.{}", B64.encode(&msg), B64.encode(sig))
    }

    /// The link an email carries.
    pub fn url(&self, city: CityId, link: Uuid) -> String {
        format!("{}/unsubscribe?t={}", self.base_url, self.token(city, link))
    }

    /// Checks the signature (in constant time) before reading anything.
    pub fn verify(&self, token: &str) -> Result<LinkRef, Forged> {
        let (msg, sig) = token.trim().split_once('.').ok_or(Forged)?;
        let msg = B64.decode(msg).map_err(|_| Forged)?;
        let sig = B64.decode(sig).map_err(|_| Forged)?;
        let mut mac = self.mac();
        mac.update(&msg);
        mac.verify_slice(&sig).map_err(|_| Forged)?;
        let rest = msg.strip_prefix(VERSION).ok_or(Forged)?;
        if rest.len() != 32 {
            return Err(Forged);
        }
        let (city, link) = rest.split_at(16);
        Ok(LinkRef {
            city: CityId::from(Uuid::from_slice(city).map_err(|_| Forged)?),
            link: Uuid::from_slice(link).map_err(|_| Forged)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_name_nobody_and_refuse_forgeries() {
        let links = Links::new("secret-0123456789".to_owned().into(), "https://soi.kz/");
        let (city, link) = (CityId::new(), Uuid::new_v4());
        let t = links.token(city, link);
        assert_eq!(links.verify(&t), Ok(LinkRef { city, link }));
        let other = Links::new("another-secret-0123".to_owned().into(), "https://soi.kz");
        assert_eq!(other.verify(&t), Err(Forged));
        assert_eq!(links.verify("abc"), Err(Forged));
        let (msg, sig) = t.split_once('.').expect("dot");
        // The first character changed (to a letter it is not): another city.
        let swap = if msg.starts_with('A') { 'B' } else { 'A' };
        let tampered = format!("{swap}{}.{sig}", &msg[1..]);
        assert_eq!(links.verify(&tampered), Err(Forged));
        assert!(
            links
                .url(city, link)
                .starts_with("https://soi.kz/unsubscribe?t=")
        );
    }
}
