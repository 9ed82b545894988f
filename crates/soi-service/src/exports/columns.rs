//! Column headers of each export in English, Russian and Kazakh.

use super::Kind;
use soi_core::Language;

/// (en, ru, kk) per column.
type Names = &'static [(&'static str, &'static str, &'static str)];

/// A person as every export that names one shows them (see `run::person`).
const PERSON: Names = &[
    ("first name", "Имя", "Аты"),
    ("last name", "Фамилия", "Тегі"),
    ("email", "Эл. почта", "Электрондық пошта"),
];

const PARTICIPANTS: &[Names] = &[
    &[("id", "ID", "ID")],
    PERSON,
    &[
        ("phone", "Телефон", "Телефон"),
        ("university", "Университет", "Университет"),
        ("birth date", "Дата рождения", "Туған күні"),
        ("language", "Язык", "Тіл"),
        (
            "consent given at",
            "Согласие дано",
            "Келісім берілген уақыт",
        ),
        ("consent version", "Версия согласия", "Келісім нұсқасы"),
        ("consent method", "Способ согласия", "Келісім тәсілі"),
        ("status", "Статус", "Мәртебе"),
    ],
];

const ATTENDANCE: &[Names] = &[
    &[
        ("session start", "Начало занятия", "Сабақтың басталуы"),
        ("group", "Группа", "Топ"),
    ],
    PERSON,
    &[
        ("mark", "Отметка", "Белгі"),
        ("recorded at", "Записано", "Жазылған уақыт"),
    ],
];

const APPLICATIONS: &[Names] = &[
    &[("id", "ID", "ID"), ("season", "Сезон", "Маусым")],
    PERSON,
    &[
        ("status", "Статус", "Мәртебе"),
        ("applied at", "Дата заявки", "Өтінім берілген уақыт"),
        ("decided at", "Дата решения", "Шешім уақыты"),
        ("motivation", "Мотивация", "Уәждеме"),
    ],
];

const LEDGER: &[Names] = &[&[
    ("id", "ID", "ID"),
    ("recorded at", "Записано", "Жазылған уақыт"),
    ("kind", "Вид", "Түрі"),
    ("amount (tiyn)", "Сумма (тиын)", "Сома (тиын)"),
    ("amount (KZT)", "Сумма (тенге)", "Сома (теңге)"),
    ("memo", "Примечание", "Ескертпе"),
    ("reverses", "Исправляет запись", "Түзетілетін жазба"),
]];

const AUDIT: &[Names] = &[&[
    ("at", "Время", "Уақыты"),
    ("actor", "Кто", "Әрекет етуші"),
    ("account", "Учётная запись", "Тіркелгі"),
    ("role", "Роль", "Рөл"),
    ("job", "Задание", "Тапсырма"),
    ("operation", "Операция", "Операция"),
    ("targets", "Объекты", "Нысандар"),
    ("request id", "ID запроса", "Сұрау ID"),
]];

/// The headers of `kind` in `lang`.
pub fn headers(kind: Kind, lang: Language) -> Vec<&'static str> {
    let names = match kind {
        Kind::Participants => PARTICIPANTS,
        Kind::Attendance => ATTENDANCE,
        Kind::Applications => APPLICATIONS,
        Kind::Ledger => LEDGER,
        Kind::Audit => AUDIT,
    };
    names
        .iter()
        .flat_map(|part| part.iter())
        .map(|(en, ru, kk)| match lang {
            Language::En => *en,
            Language::Ru => *ru,
            Language::Kk => *kk,
        })
        .collect()
}
