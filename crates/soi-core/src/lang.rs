//! The three languages of the program: Kazakh (state language), Russian (in
//! official use) and English (international partners).

use crate::error::{InputError, InputResult};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Kk,
    Ru,
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Kk, Language::Ru, Language::En];

    /// The ISO 639-1 code stored in the database.
    pub const fn code(self) -> &'static str {
        match self {
            Language::Kk => "kk",
            Language::Ru => "ru",
            Language::En => "en",
        }
    }

    pub fn parse(code: &str) -> InputResult<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "kk" => Ok(Language::Kk),
            "ru" => Ok(Language::Ru),
            "en" => Ok(Language::En),
            _ => Err(InputError::new(
                "preferredLanguage",
                "must be one of kk, ru, en",
            )),
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// For decoding the stored code (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for Language {
    type Error = InputError;
    fn try_from(code: String) -> InputResult<Self> {
        Self::parse(&code)
    }
}
