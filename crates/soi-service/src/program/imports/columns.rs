//! The columns an import understands, and the header names that mean each
//! one in Kazakh, Russian and English. A header matches ignoring case,
//! spaces and punctuation (`Эл. почта` = `эл почта` = `ЭЛ.ПОЧТА`).

/// A column of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Email,
    FirstName,
    LastName,
    Phone,
    University,
    BirthDate,
    Language,
    Group,
    GuardianName,
    ConsentDate,
    ConsentVersion,
    Qualification,
}

impl Column {
    /// The name used in reports and in the README, English.
    pub const fn name(self) -> &'static str {
        match self {
            Column::Email => "email",
            Column::FirstName => "first name",
            Column::LastName => "last name",
            Column::Phone => "phone",
            Column::University => "university",
            Column::BirthDate => "birth date",
            Column::Language => "language",
            Column::Group => "group",
            Column::GuardianName => "guardian",
            Column::ConsentDate => "consent date",
            Column::ConsentVersion => "consent version",
            Column::Qualification => "qualification",
        }
    }

    /// Header names that mean this column: English, Russian, Kazakh.
    pub const fn names(self) -> &'static [&'static str] {
        match self {
            Column::Email => &[
                "email",
                "e-mail",
                "mail",
                "эл. почта",
                "электронная почта",
                "почта",
                "электрондық пошта",
                "электронная пошта",
                "эл. пошта",
                "пошта",
            ],
            Column::FirstName => &["first name", "given name", "имя", "аты", "есімі"],
            Column::LastName => &["last name", "surname", "family name", "фамилия", "тегі"],
            Column::Phone => &[
                "phone",
                "phone number",
                "mobile",
                "телефон",
                "номер телефона",
                "телефон нөмірі",
                "ұялы телефон",
            ],
            Column::University => &["university", "университет", "вуз", "жоо", "оқу орны"],
            Column::BirthDate => &[
                "birth date",
                "date of birth",
                "birthday",
                "дата рождения",
                "туған күні",
                "туған күн",
            ],
            Column::Language => &["language", "preferred language", "язык", "тіл"],
            Column::Group => &["group", "группа", "топ"],
            Column::GuardianName => &[
                "guardian",
                "guardian name",
                "опекун",
                "законный представитель",
                "қамқоршы",
                "заңды өкіл",
            ],
            Column::ConsentDate => &[
                "consent date",
                "consent given",
                "дата согласия",
                "согласие дано",
                "келісім күні",
                "келісім берілген күн",
            ],
            Column::ConsentVersion => &[
                "consent version",
                "consent text version",
                "версия согласия",
                "келісім нұсқасы",
            ],
            Column::Qualification => &[
                "qualification",
                "rank",
                "квалификация",
                "звание",
                "біліктілік",
                "дәреже",
            ],
        }
    }

    /// The column a header names, among `allowed`.
    pub fn find(header: &str, allowed: &[Column]) -> Option<Column> {
        let wanted = normalise(header);
        allowed
            .iter()
            .copied()
            .find(|c| c.names().iter().any(|n| normalise(n) == wanted))
    }

    /// The API's field name for this column (the names `soi_core` errors carry).
    pub fn of_field(field: &str, allowed: &[Column]) -> Option<Column> {
        let c = match field {
            "email" => Column::Email,
            "firstName" => Column::FirstName,
            "lastName" => Column::LastName,
            "phone" => Column::Phone,
            "university" => Column::University,
            "birthDate" => Column::BirthDate,
            "preferredLanguage" => Column::Language,
            "guardianName" => Column::GuardianName,
            "consentTextVersion" => Column::ConsentVersion,
            "qualification" => Column::Qualification,
            _ => return None,
        };
        allowed.contains(&c).then_some(c)
    }
}

/// Lower case, letters and digits only: spaces, dots, dashes and a trailing
/// `*` or `:` do not matter.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Column; 3] = [Column::Email, Column::FirstName, Column::BirthDate];

    #[test]
    fn headers_match_in_three_languages_ignoring_case_and_punctuation() {
        for h in [
            "Email",
            " E-mail ",
            "Эл. почта",
            "ЭЛЕКТРОНДЫҚ ПОШТА",
            "email*",
        ] {
            assert_eq!(Column::find(h, &ALL), Some(Column::Email), "{h}");
        }
        assert_eq!(Column::find("Аты", &ALL), Some(Column::FirstName));
        assert_eq!(
            Column::find("Дата  рождения:", &ALL),
            Some(Column::BirthDate)
        );
        assert_eq!(Column::find("Туған күні", &ALL), Some(Column::BirthDate));
        assert_eq!(Column::find("Фамилия", &ALL), None);
    }
}
