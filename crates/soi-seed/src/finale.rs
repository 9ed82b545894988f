//! What makes each demo city's show its own: its social cause, a partner,
//! a motto and the numbers' themes.

/// What makes a city's show its own.
pub struct Finale {
    pub cause: (&'static str, &'static str, &'static str),
    pub partner: (&'static str, &'static str),
    pub motto: &'static str,
    pub numbers: [(&'static str, &'static str); 3],
}

pub fn finale(slug: &str) -> Finale {
    match slug {
        "almaty" => Finale {
            cause: (
                "Gas for homes near Almaty",
                "Connecting homes of vulnerable households in villages near Almaty to the gas \
                 network, so they stop heating with coal and the city's winter air gets cleaner.",
                "low-income and large families in the Talgar and Ili districts",
            ),
            partner: (
                "EcoAlmaty ecologists' group",
                "air-quality data and the show's story",
            ),
            motto: "Breathe with us",
            numbers: [
                ("Smog", "Coal heating and winter smog over the city"),
                ("Blue flame", "Gas reaching the homes that burn coal"),
                (
                    "Clear sky",
                    "What the city looks like when the air is clean",
                ),
            ],
        },
        "astana" => Finale {
            cause: (
                "Ice for everyone",
                "Skates, helmets and coaching hours for an inclusive skating club for children \
                 with disabilities.",
                "children with disabilities and their families",
            ),
            partner: (
                "Inclusive Sport Astana",
                "adapted choreography and volunteers",
            ),
            motto: "Nobody skates alone",
            numbers: [
                (
                    "Barriers",
                    "Cities built without people who use wheelchairs",
                ),
                ("Hand in hand", "Skating together, whatever the body can do"),
                ("Open rink", "A city where every child may go on the ice"),
            ],
        },
        "shymkent" => Finale {
            cause: (
                "Clean water for village schools",
                "Drinking-water filters and taps for schools in villages around Shymkent.",
                "pupils of village schools in the Turkistan region",
            ),
            partner: ("Water Keepers Shymkent", "research on the region's water"),
            motto: "Every drop counts",
            numbers: [
                ("Dry riverbed", "Rivers drying up in the south"),
                ("The well", "Children carrying water to school"),
                ("Spring", "Water saved and shared"),
            ],
        },
        _ => Finale {
            cause: (
                "A cleaner city",
                "Trees and clean-up days in the city's neighbourhoods.",
                "residents of the city's neighbourhoods",
            ),
            partner: ("City volunteers", "clean-up days"),
            motto: "Our city, our ice",
            numbers: [
                ("Litter", "Rubbish in parks and courtyards"),
                ("Together", "Neighbours cleaning up"),
                ("Green", "A greener city"),
            ],
        },
    }
}
