//! The password policy, after NIST SP 800-63B: long enough, not too long to
//! hash, not on the lists of passwords attackers try first, not built from
//! the account's own email. No composition rules (they make passwords worse).
//! The common-password lists and the guess estimate come from `zxcvbn`
//! (Dropbox's estimator: 30,000 common passwords, names, words, keyboard
//! patterns, dates, and the user inputs we pass).

use zxcvbn::{Score, zxcvbn};

/// Fewest characters (counted as Unicode scalar values, so a Kazakh or
/// Russian passphrase counts the same as a Latin one).
pub const MIN_CHARS: usize = 10;
/// Most bytes: longer inputs only cost hashing time.
pub const MAX_BYTES: usize = 256;

/// Why a password is refused (the text is shown to the person choosing it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("the password must have at least {MIN_CHARS} characters")]
    TooShort,
    #[error("the password must have at most {MAX_BYTES} bytes")]
    TooLong,
    #[error("the password must not contain your email address or its name part")]
    ContainsEmail,
    #[error("the password is too common or too easy to guess; a few unrelated words work well")]
    TooGuessable,
}

/// Checks a new password for the account with `email`.
pub fn check_password(password: &str, email: &str) -> Result<(), PasswordProblem> {
    if password.chars().count() < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if password.len() > MAX_BYTES {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if (!email.is_empty() && lower.contains(&email)) || (local.len() >= 4 && lower.contains(local))
    {
        return Err(PasswordProblem::ContainsEmail);
    }
    // The program's own words are the first an attacker tries against it.
    let inputs = [
        email.as_str(),
        local,
        "studentsonice",
        "students",
        "ice",
        "skate",
        "skating",
        "soi",
    ];
    if zxcvbn(password, &inputs).score() < Score::Three {
        return Err(PasswordProblem::TooGuessable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_email_passwords_are_refused() {
        assert_eq!(
            check_password("short", "a@b.kz"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_password("password123", "a@b.kz"),
            Err(PasswordProblem::TooGuessable)
        );
        assert_eq!(
            check_password("qwertyuiop", "a@b.kz"),
            Err(PasswordProblem::TooGuessable)
        );
        assert_eq!(
            check_password("aigerim.nur-2026-x", "aigerim.nur@uni.kz"),
            Err(PasswordProblem::ContainsEmail)
        );
        assert_eq!(
            check_password("studentsonice2026", "a@b.kz"),
            Err(PasswordProblem::TooGuessable)
        );
        assert_eq!(
            check_password(&"x".repeat(300), "a@b.kz"),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn long_unrelated_passphrases_pass_in_any_script() {
        assert_eq!(
            check_password("copper lantern orbit meadow", "a@b.kz"),
            Ok(())
        );
        assert_eq!(check_password("мұз айдыны таңғы жаттығу", "a@b.kz"), Ok(()));
    }
}
