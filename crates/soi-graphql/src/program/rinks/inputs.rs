//! A rink as admins send it, checked before anything is written.

use crate::plumbing::{Valid, bad_input};
use async_graphql::{InputObject, Result};
use soi_core::text;

/// Longest address kept.
const MAX_ADDRESS: usize = 300;

/// A new rink.
#[derive(InputObject)]
pub struct RinkInput {
    /// Name, 1–200 characters, unique in the city.
    pub name: String,
    /// Street address, 1–300 characters on one line.
    pub address: String,
}

impl RinkInput {
    pub fn validate(&self) -> Result<(String, String)> {
        let name = text::bounded("name", &self.name, text::MAX_LINE).valid()?;
        let address = text::bounded("address", &self.address, MAX_ADDRESS).valid()?;
        // `bounded` lets new lines through above MAX_LINE; an address is one line.
        if address.contains(['\n', '\t']) {
            return Err(bad_input("address", "must be one line"));
        }
        Ok((name, address))
    }
}
