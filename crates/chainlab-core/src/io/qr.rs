//! The share link as a QR code: which version and error correction it gets, and its
//! modules. The page draws them as one SVG path; the share bench and the tests read
//! the version, so the figures in BENCHMARKS.md are the page's own.

use qrcode::{Color, EcLevel, QrCode};

/// Up to this many modules across (version 10), a code keeps medium error correction
/// (15 % of it may be lost to glare or a smudge); past it, low (7 %), which keeps the
/// modules of a long link bigger.
pub const MAX_MEDIUM_WIDTH: usize = 57;
/// The light margin the standard asks for on each side, in modules.
pub const QUIET_ZONE: usize = 4;

/// A QR code of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qr {
    /// 1 to 40: the code is `17 + 4 × version` modules across.
    pub version: usize,
    /// `'M'` or `'L'`.
    pub level: char,
    /// Modules across, without the quiet zone.
    pub width: usize,
    /// Row by row, whether each module is dark.
    pub dark: Vec<bool>,
}

impl Qr {
    /// The code of `text`, or `None` when it is too long for any QR code.
    pub fn of(text: &str) -> Option<Qr> {
        let (code, level) = QrCode::with_error_correction_level(text, EcLevel::M)
            .ok()
            .filter(|code| code.width() <= MAX_MEDIUM_WIDTH)
            .map(|code| (code, 'M'))
            .or_else(|| {
                QrCode::with_error_correction_level(text, EcLevel::L)
                    .ok()
                    .map(|code| (code, 'L'))
            })?;
        let width = code.width();
        Some(Qr {
            version: (width - 17) / 4,
            level,
            width,
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Modules across with the quiet zone on both sides: what a picture of it holds.
    pub fn across(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }
}
