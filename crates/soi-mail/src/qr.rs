//! A ticket code as a QR code drawn with an HTML table of black cells. Mail
//! clients strip inline SVG and many block `data:` images, while a table with
//! `bgcolor` cells renders everywhere (Gmail, Outlook, Apple Mail) with no
//! attachment to load; runs of one colour share a cell to keep it small.

use minijinja::Value;
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module; 33 modules (version 2 plus the quiet zone) ≈ 130 px.
const MODULE_PX: usize = 4;
/// White modules around the code (the standard asks for four).
const QUIET: usize = 4;

/// The code as an HTML table, or `None` if it cannot fit a QR code (a
/// ticket code, 26 characters, always fits).
pub fn table(code: &str) -> Option<String> {
    let qr = QrCode::with_error_correction_level(code.as_bytes(), EcLevel::M).ok()?;
    let width = qr.width();
    let colors = qr.to_colors();
    let size = width + 2 * QUIET;
    let dark = |x: usize, y: usize| {
        x >= QUIET
            && y >= QUIET
            && x < QUIET + width
            && y < QUIET + width
            && colors[(y - QUIET) * width + (x - QUIET)] == Color::Dark
    };
    let px = size * MODULE_PX;
    let mut out = format!(
        "<table role=\"img\" aria-label=\"QR {code}\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         width=\"{px}\" bgcolor=\"white\" style=\"border-collapse:collapse;width:{px}px;font-size:0;line-height:0\">"
    );
    for y in 0..size {
        out.push_str("<tr>");
        let mut x = 0;
        while x < size {
            let on = dark(x, y);
            let run = (x..size).take_while(|&i| dark(i, y) == on).count();
            let w = run * MODULE_PX;
            let span = if run > 1 {
                format!(" colspan=\"{run}\"")
            } else {
                String::new()
            };
            // Bare attributes: a ticket's table must stay small (Gmail clips
            // long messages); white cells show the table's white.
            let color = if on { " bgcolor=\"black\"" } else { "" };
            out.push_str(&format!(
                "<td{span} width=\"{w}\" height=\"{MODULE_PX}\"{color}></td>"
            ));
            x += run;
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    Some(out)
}

/// The template filter `qr`: `{{ ticket.code | qr }}` (HTML, not escaped).
pub fn filter(code: &str) -> Result<Value, minijinja::Error> {
    table(code).map(Value::from_safe_string).ok_or_else(|| {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("'{code}' does not fit a QR code"),
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_is_a_table_of_cells() {
        let out = super::table("0123456789ABCDEFGHJKMNPQRS").expect("fits");
        assert!(out.starts_with("<table") && out.ends_with("</table>"));
        // 25 modules + 2×4 quiet = 33 rows.
        assert_eq!(out.matches("<tr>").count(), 33);
        assert!(out.contains("bgcolor=\"black\""));
    }
}
