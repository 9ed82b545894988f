use super::*;
use crate::kinds;
use serde_json::json;

fn almaty() -> CityView<'static> {
    CityView {
        name_kk: "Алматы",
        name_ru: "Алматы",
        name_en: "Almaty",
        zone: CityZone::parse("Asia/Almaty").expect("zone"),
    }
}

fn received(status: &str) -> serde_json::Value {
    json!({
        "first_name": "Айгерим",
        "season_title": "SOI 2026 <clean air>",
        "applied_at": "2026-11-25T12:00:00Z",
        "status": status,
    })
}

fn decided(decision: &str) -> serde_json::Value {
    json!({
        "first_name": "Айгерим",
        "season_title": "SOI 2026",
        "season_starts_on": "2026-10-01",
        "decision": decision,
        "decided_at": "2026-11-25T12:00:00Z",
    })
}

#[test]
fn every_kind_renders_in_every_language_with_local_times() {
    let t = Templates::builtin().expect("templates");
    for lang in Language::ALL {
        assert_eq!(
            t.language_for(kinds::APPLICATION_RECEIVED, lang),
            Some(lang)
        );
        for status in ["applied", "accepted", "waitlisted"] {
            let r = t
                .render(
                    kinds::APPLICATION_RECEIVED,
                    lang,
                    &almaty(),
                    &received(status),
                )
                .expect("render");
            assert_eq!(r.language, lang);
            assert!(!r.subject.contains('\n'));
            assert!(r.text.contains("Айгерим") && r.html.contains("Айгерим"));
            // 12:00 UTC is 17:00 in Almaty.
            assert!(r.text.contains("17:00"), "{lang}: {}", r.text);
            assert!(r.html.contains("17:00"));
        }
        for decision in ["accepted", "waitlisted", "promoted", "rejected"] {
            let r = t
                .render(
                    kinds::APPLICATION_DECIDED,
                    lang,
                    &almaty(),
                    &decided(decision),
                )
                .expect("render");
            assert!(r.text.contains("17:00"), "{lang} {decision}: {}", r.text);
            assert!(r.subject.contains("SOI 2026"));
        }
    }
}

#[test]
fn the_words_follow_the_language() {
    let t = Templates::builtin().expect("templates");
    let r = |lang| {
        t.render(
            kinds::APPLICATION_DECIDED,
            lang,
            &almaty(),
            &decided("accepted"),
        )
        .expect("render")
    };
    assert!(r(Language::Ru).subject.starts_with("Вы приняты"));
    assert!(r(Language::Ru).text.contains("1 октября 2026 г."));
    assert!(r(Language::Kk).subject.starts_with("Сіз қабылдандыңыз"));
    assert!(r(Language::Kk).text.contains("2026 жылғы 1 қазан"));
    assert!(r(Language::En).subject.starts_with("You are accepted"));
    assert!(r(Language::En).text.contains("1 October 2026"));
    assert!(r(Language::En).html.contains("Almaty"));
}

#[test]
fn html_escapes_the_payload_and_text_does_not() {
    let t = Templates::builtin().expect("templates");
    let r = t
        .render(
            kinds::APPLICATION_RECEIVED,
            Language::En,
            &almaty(),
            &received("applied"),
        )
        .expect("render");
    assert!(r.html.contains("SOI 2026 &lt;clean air&gt;"), "{}", r.html);
    assert!(!r.html.contains("<clean air>"));
    assert!(r.text.contains("SOI 2026 <clean air>"));
    assert!(
        r.html
            .contains("<title>Application received — SOI 2026 &lt;clean air&gt;</title>")
    );
}

#[test]
fn a_missing_payload_field_is_an_error_not_a_gap() {
    let t = Templates::builtin().expect("templates");
    let mut payload = received("applied");
    payload
        .as_object_mut()
        .expect("object")
        .remove("first_name");
    assert!(
        t.render(
            kinds::APPLICATION_RECEIVED,
            Language::Ru,
            &almaty(),
            &payload
        )
        .is_err()
    );
}

#[test]
fn a_missing_language_falls_back_to_russian_then_english() {
    let file = |name: &str, src: &str| (name.to_owned(), src.to_owned());
    let t = Templates::from_files([
        file("ru/hello.subject", "Привет"),
        file("ru/hello.txt", "Привет, {{ city }}"),
        file("ru/hello.html", "<p>Привет</p>"),
        file("en/only_en.subject", "Hi"),
        file("en/only_en.txt", "Hi {{ city }}"),
        file("en/only_en.html", "<p>Hi</p>"),
        // Incomplete: no html part, so it does not count.
        file("kk/only_en.subject", "Сәлем"),
        file("kk/only_en.txt", "Сәлем"),
    ])
    .expect("templates");
    let r = t
        .render("hello", Language::Kk, &almaty(), &json!({}))
        .expect("render");
    assert_eq!(
        (r.language, r.text.as_str()),
        (Language::Ru, "Привет, Алматы")
    );
    let r = t
        .render("only_en", Language::Kk, &almaty(), &json!({}))
        .expect("render");
    assert_eq!((r.language, r.text.as_str()), (Language::En, "Hi Almaty"));
    assert!(
        t.render("nothing", Language::En, &almaty(), &json!({}))
            .is_err()
    );
}

#[test]
fn money_reads_as_tenge() {
    let t = Templates::from_files([
        ("en/t.subject".to_owned(), "Total".to_owned()),
        ("en/t.txt".to_owned(), "{{ total | tenge }}".to_owned()),
        ("en/t.html".to_owned(), "{{ total | tenge }}".to_owned()),
    ])
    .expect("templates");
    let r = t
        .render("t", Language::En, &almaty(), &json!({ "total": 1_250_000 }))
        .expect("render");
    assert_eq!(r.text, "12\u{a0}500\u{a0}₸");
}
