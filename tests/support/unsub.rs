//! Unsubscribe links in tests: the secret the test gateway and workers share.

use soi_mail::unsubscribe::Links;

pub const TEST_UNSUBSCRIBE_SECRET: &str = "unsubscribe-test-secret-0123456789";
pub const TEST_PUBLIC_URL: &str = "http://127.0.0.1:8080";

pub fn links() -> Links {
    Links::new(TEST_UNSUBSCRIBE_SECRET.to_owned().into(), TEST_PUBLIC_URL)
}
