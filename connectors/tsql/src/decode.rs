//! Decoding script bytes. Exported scripts arrive as UTF-8 (with or without
//! BOM), UTF-16 (SSMS's "Unicode" default, with BOM) or in the legacy Chinese
//! code page (GBK / GB18030) as often as not.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// The text of a script and how it was encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Decoded text, without BOM.
    pub text: String,
    /// Name of the encoding that was used (`UTF-8`, `UTF-16LE`, `gb18030`, ...).
    pub encoding: &'static str,
    /// Whether some bytes could not be decoded and were replaced by U+FFFD.
    pub had_errors: bool,
}

/// Detects the encoding of `bytes` and decodes them.
///
/// Order: a BOM decides; otherwise UTF-16 without BOM is recognised by its
/// zero bytes; otherwise valid UTF-8 is UTF-8; otherwise GB18030 (a superset
/// of GBK, so GBK files decode the same).
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return run(enc, &bytes[bom_len..]);
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        return run(enc, bytes);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded {
            text: s.to_string(),
            encoding: UTF_8.name(),
            had_errors: false,
        };
    }
    run(GB18030, bytes)
}

fn run(enc: &'static Encoding, bytes: &[u8]) -> Decoded {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
        had_errors,
    }
}

/// ASCII-heavy UTF-16 text has a zero in every other byte.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    if odd_zero * 10 >= pairs * 7 && even_zero * 10 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 >= pairs * 7 && odd_zero * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "CREATE TABLE [dbo].[患者] ([姓名] nvarchar(50) NOT NULL)\nGO\n";

    #[test]
    fn utf16le_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        b.extend(TEXT.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let d = decode(&b);
        assert_eq!(d.text, TEXT);
        assert_eq!(d.encoding, "UTF-16LE");
    }

    #[test]
    fn utf16be_with_bom_and_le_without() {
        let mut b = vec![0xFE, 0xFF];
        b.extend(TEXT.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(&b).text, TEXT);
        let le: Vec<u8> = TEXT.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let d = decode(&le);
        assert_eq!((d.text.as_str(), d.encoding), (TEXT, "UTF-16LE"));
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend(TEXT.as_bytes());
        assert_eq!(decode(&b).text, TEXT);
        assert_eq!(decode(TEXT.as_bytes()).encoding, "UTF-8");
    }

    #[test]
    fn gbk_bytes_decode_as_gb18030() {
        let (bytes, _, _) = encoding_rs::GBK.encode(TEXT);
        assert!(std::str::from_utf8(&bytes).is_err());
        let d = decode(&bytes);
        assert_eq!(d.text, TEXT);
        assert_eq!(d.encoding, "gb18030");
        assert!(!d.had_errors);
    }
}
