//! Numbers as people type them.
//!
//! [`parse_f64`] reads a number exactly as `str::parse::<f64>` does (the same grammar,
//! the same correctly rounded value), through serde_json's float parser, which the page
//! carries anyway for chains and answers. The standard library's own parser would add
//! about 14 KB to the page's wasm (10 KB of it a table of powers of five) to give the
//! same result.

/// `text` as a number, where `text.parse::<f64>()` reads one: an optional sign, then
/// `inf`, `infinity` or `nan` (any case), or digits with an optional point and an
/// optional exponent (`1`, `-2.5`, `.5`, `5.`, `+1e3`). No spaces: trim first.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        decimal(body)?
    };
    Some(if negative { -value } else { value })
}

/// Digits with an optional point and exponent, no sign, written out as JSON (which has
/// no `.5`, `5.` or leading zeros) and read by serde_json.
fn decimal(body: &str) -> Option<f64> {
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let mut json = String::with_capacity(body.len() + 3);
    let whole = whole.trim_start_matches('0');
    json.push_str(if whole.is_empty() { "0" } else { whole });
    json.push('.');
    json.push_str(if fraction.is_empty() { "0" } else { fraction });
    if let Some(exponent) = exponent {
        let unsigned = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if unsigned.is_empty() || !digits(unsigned) {
            return None;
        }
        json.push('e');
        json.push_str(exponent);
    }
    // The text is a valid JSON number, so serde_json's only complaint can be that it is
    // too large for an f64, where Rust's parser gives infinity (and both give 0 for a
    // number too small).
    Some(serde_json::from_str::<f64>(&json).unwrap_or(f64::INFINITY))
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    fn same(text: &str) {
        let ours = parse_f64(text);
        let std = text.parse::<f64>().ok();
        match (ours, std) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
            (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{text:?}: {a} vs {b}"),
            (a, b) => assert_eq!(a, b, "{text:?}"),
        }
    }

    #[test]
    fn reads_what_the_standard_library_reads() {
        for text in [
            "0",
            "-0",
            "+0",
            "1",
            "-1",
            "+1",
            "007",
            "0.7",
            ".5",
            "5.",
            "-.5",
            "+5.",
            ".",
            "",
            "-",
            "+",
            "1e3",
            "1E3",
            "1e+3",
            "1e-3",
            "1.5e3",
            ".5e3",
            "5.e3",
            "1e",
            "1e+",
            "e3",
            "1e400",
            "-1e400",
            "1e-400",
            "1e-320",
            "4.9e-324",
            "2.2250738585072014e-308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "0.1",
            "0.30000000000000004",
            "123456789012345678901234567890",
            "9007199254740993",
            "inf",
            "-inf",
            "Infinity",
            "INF",
            "infin",
            "nan",
            "NaN",
            "-nan",
            "nan1",
            " 1",
            "1 ",
            "1_000",
            "1,5",
            "0x10",
            "1.2.3",
            "--1",
            "+-1",
            "1e3.5",
            "١",
            "1e0000000000000000000000000000003",
            "0.000000000000000000000000000000000000000000001e45",
        ] {
            same(text);
        }
        let mut seed = 11_u64;
        let alphabet = b"0123456789.eE+-";
        for _ in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 60) as usize;
            let text: String = (0..len)
                .map(|i| alphabet[((seed >> (i * 4)) % alphabet.len() as u64) as usize] as char)
                .collect();
            same(&text);
        }
    }

    /// A link writes an f32 (the temperature) as f32's shortest text and reads it
    /// through `parse_f64` narrowed to f32: every f32 of the temperature's range and a
    /// spread of others must come back as the same bits.
    #[test]
    fn f32_text_reads_back_through_f64() {
        let mut checked = 0;
        for bits in (0..=2.0_f32.to_bits())
            .step_by(1021)
            .chain((0..u32::MAX).step_by(65_521))
        {
            let value = f32::from_bits(bits);
            if !value.is_finite() {
                continue;
            }
            let back = parse_f64(&value.to_string()).map(|v| v as f32);
            assert_eq!(back.map(f32::to_bits), Some(bits), "{value}");
            checked += 1;
        }
        assert!(checked > 1_000_000, "{checked}");
    }
}
