//! Names, universities and places that make the demo look like the program:
//! Kazakh and Russian names in Cyrillic with a Latin form for email addresses.

/// (Cyrillic, Latin) given names.
pub const FEMALE: &[(&str, &str)] = &[
    ("Айгерім", "aigerim"),
    ("Әлия", "aliya"),
    ("Дана", "dana"),
    ("Жансая", "zhansaya"),
    ("Мадина", "madina"),
    ("Аружан", "aruzhan"),
    ("Томирис", "tomiris"),
    ("Камила", "kamila"),
    ("Анастасия", "anastasia"),
    ("Екатерина", "ekaterina"),
    ("Дарья", "darya"),
    ("Ақбота", "akbota"),
    ("Балнұр", "balnur"),
    ("Інжу", "inzhu"),
    ("Сабина", "sabina"),
    ("Ксения", "ksenia"),
];
pub const MALE: &[(&str, &str)] = &[
    ("Нұрсұлтан", "nursultan"),
    ("Ерлан", "erlan"),
    ("Арман", "arman"),
    ("Алихан", "alikhan"),
    ("Данияр", "daniyar"),
    ("Темірлан", "temirlan"),
    ("Ержан", "erzhan"),
    ("Бекзат", "bekzat"),
    ("Дмитрий", "dmitry"),
    ("Артём", "artyom"),
    ("Максим", "maksim"),
    ("Ғалымжан", "galymzhan"),
    ("Санжар", "sanzhar"),
    ("Ілияс", "iliyas"),
    ("Никита", "nikita"),
    ("Әділет", "adilet"),
];
/// (male Cyrillic, female Cyrillic, Latin) family names.
pub const FAMILY: &[(&str, &str, &str)] = &[
    ("Нұрланов", "Нұрланова", "nurlanov"),
    ("Серіков", "Серікова", "serikov"),
    ("Жақсылықов", "Жақсылықова", "zhaksylykov"),
    ("Әбенов", "Әбенова", "abenov"),
    ("Қасымов", "Қасымова", "kasymov"),
    ("Омаров", "Омарова", "omarov"),
    ("Иванов", "Иванова", "ivanov"),
    ("Ким", "Ким", "kim"),
    ("Садықов", "Садықова", "sadykov"),
    ("Төлеуов", "Төлеуова", "toleuov"),
    ("Петров", "Петрова", "petrov"),
    ("Бекова", "Бекова", "bekova"),
    ("Ахметов", "Ахметова", "akhmetov"),
    ("Сулейменов", "Сулейменова", "suleimenov"),
];

pub struct DemoCity {
    pub slug: &'static str,
    pub names: [&'static str; 3],
    pub zone: &'static str,
    /// The city centre, (latitude, longitude) in degrees.
    pub position: (f64, f64),
    pub universities: &'static [&'static str],
    pub rinks: &'static [(&'static str, &'static str)],
    pub theme: &'static str,
}

pub const DEMO_CITIES: &[DemoCity] = &[
    DemoCity {
        slug: "almaty",
        names: ["Алматы", "Алматы", "Almaty"],
        zone: "Asia/Almaty",
        position: (43.2389, 76.8897),
        universities: &[
            "ҚазҰУ әл-Фараби",
            "Satbayev University",
            "КБТУ",
            "Narxoz",
            "AlmaU",
            "SDU University",
        ],
        rinks: &[
            ("Халық Арена", "Алматы, Райымбек даңғылы, 189"),
            ("Алматы Арена", "Алматы, Момышұлы көшесі, 1/2"),
        ],
        theme: "SOI: Almaty youth for clean air",
    },
    DemoCity {
        slug: "astana",
        names: ["Астана", "Астана", "Astana"],
        zone: "Asia/Almaty",
        position: (51.1694, 71.4491),
        universities: &[
            "Л.Н. Гумилев атындағы ЕҰУ",
            "Nazarbayev University",
            "AITU",
            "С. Сейфуллин атындағы ҚАТУ",
        ],
        rinks: &[
            ("Барыс Арена", "Астана, Тұран даңғылы, 57"),
            ("Алау", "Астана, Ұлы Дала даңғылы, 1"),
        ],
        theme: "SOI: Astana for inclusive sport",
    },
    DemoCity {
        slug: "shymkent",
        names: ["Шымкент", "Шымкент", "Shymkent"],
        zone: "Asia/Almaty",
        position: (42.3417, 69.5901),
        universities: &["М. Әуезов атындағы ОҚУ", "Silkway", "ОҚМА"],
        rinks: &[
            ("Шымкент Арена", "Шымкент, Тәуке хан даңғылы, 5"),
            ("Мұз сарайы", "Шымкент, Республика даңғылы, 12"),
        ],
        theme: "SOI: Shymkent saves water",
    },
];

/// For cities that are not among the demo's.
pub const GENERIC_UNIVERSITIES: &[&str] = &[
    "Мемлекеттік университет",
    "Техникалық университет",
    "Педагогикалық университет",
    "Медицина университеті",
];

/// Centres of Kazakhstan's sixteen largest cities, (latitude, longitude) in
/// degrees: where the scale dataset's cities are placed on the map.
pub const LARGEST_CITY_CENTRES: [(f64, f64); 16] = [
    (43.2389, 76.8897),
    (51.1694, 71.4491),
    (42.3417, 69.5901),
    (50.2839, 57.1670),
    (49.8047, 73.1094),
    (42.9000, 71.3667),
    (49.9483, 82.6275),
    (52.2873, 76.9674),
    (47.1164, 51.8833),
    (50.4111, 80.2275),
    (44.8528, 65.5092),
    (53.2144, 63.6246),
    (43.6532, 51.1975),
    (51.2333, 51.3667),
    (54.8753, 69.1628),
    (43.2973, 68.2517),
];
