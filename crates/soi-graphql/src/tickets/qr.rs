//! A ticket's code as a QR code in SVG, for the buyer's screen or a printout.
//! Pure rendering: no I/O.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The code as an SVG document (medium error correction, so a scuffed phone
/// screen still scans). `None` only if the text cannot fit a QR code, which a
/// ticket code (26 characters) always does.
pub fn svg(code: &str) -> Option<String> {
    let qr = QrCode::with_error_correction_level(code.as_bytes(), EcLevel::M).ok()?;
    Some(
        qr.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_renders_as_svg() {
        let out = super::svg("0123456789ABCDEFGHJKMNPQRS").expect("fits");
        assert!(out.starts_with("<?xml") || out.starts_with("<svg"), "{out}");
        assert!(out.contains("</svg>"));
    }
}
