//! Key ranges and how to cut them.

use serde::{Deserialize, Serialize};

use super::canonical::cmp_keys;
use crate::value::Value;

/// Keys `lo <= k < hi`; a missing bound is open.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyRange {
    pub lo: Option<Vec<Value>>,
    pub hi: Option<Vec<Value>>,
}

impl KeyRange {
    /// Every key.
    pub fn all() -> Self {
        KeyRange::default()
    }

    pub fn contains(&self, key: &[Value]) -> bool {
        self.lo
            .as_ref()
            .is_none_or(|lo| cmp_keys(key, lo) != std::cmp::Ordering::Less)
            && self
                .hi
                .as_ref()
                .is_none_or(|hi| cmp_keys(key, hi) == std::cmp::Ordering::Less)
    }

    /// Cuts the range at the given interior points (sorted, inside the range).
    pub fn cut(&self, points: &[Vec<Value>]) -> Vec<KeyRange> {
        let mut out = Vec::with_capacity(points.len() + 1);
        let mut lo = self.lo.clone();
        for p in points {
            out.push(KeyRange {
                lo: lo.clone(),
                hi: Some(p.clone()),
            });
            lo = Some(p.clone());
        }
        out.push(KeyRange {
            lo,
            hi: self.hi.clone(),
        });
        out
    }

    /// Human-readable form for reports, e.g. `[100, 200)`.
    pub fn describe(&self) -> String {
        let show = |k: &Option<Vec<Value>>, open: &str| match k {
            None => open.to_string(),
            Some(v) => v.iter().map(short_value).collect::<Vec<_>>().join(", "),
        };
        format!("[{}, {})", show(&self.lo, "-inf"), show(&self.hi, "+inf"))
    }
}

/// A compact rendering of a key value for reports.
pub fn short_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "NULL".into(),
        other => match other.as_i128() {
            Some(i) => i.to_string(),
            None => super::canonical::canonical_text(other, guess_kind(other))
                .unwrap_or_else(|_| format!("{other:?}")),
        },
    }
}

fn guess_kind(v: &Value) -> super::CanonKind {
    use super::CanonKind as K;
    match v {
        Value::Decimal(d) => K::Decimal { scale: d.scale },
        Value::F32(_) | Value::F64(_) => K::Float,
        Value::Bytes(_) => K::Bytes,
        Value::Date(_) => K::Date,
        Value::Time(_) => K::Time { frac_digits: 7 },
        Value::DateTime(_) | Value::DateTimeOffset(_) => K::DateTime { frac_digits: 7 },
        Value::Uuid(_) => K::Uuid,
        Value::Bool(_) => K::Bool,
        _ => K::Text {
            trim_trailing_spaces: false,
        },
    }
}

/// Interior cut points that split the integer range `[min, max]` into
/// `parts` ranges of about equal width.
pub fn integer_cuts(min: i128, max: i128, parts: usize) -> Vec<i128> {
    if parts <= 1 || max <= min {
        return Vec::new();
    }
    let width = max - min + 1;
    let parts = (parts as i128).min(width);
    (1..parts).map(|i| min + width * i / parts).collect()
}

/// The integer value of a single-column key.
pub fn int_key(k: &[Value]) -> Option<i128> {
    match k {
        [v] => v.as_i128(),
        _ => None,
    }
}

/// A single-column integer key value.
pub fn int_key_value(i: i128) -> Vec<Value> {
    match i64::try_from(i) {
        Ok(v) => vec![Value::I64(v)],
        Err(_) => vec![Value::U64(i as u64)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cut_covers_the_range_without_overlap() {
        let r = KeyRange::all();
        let parts = r.cut(&[vec![Value::I64(10)], vec![Value::I64(20)]]);
        assert_eq!(parts.len(), 3);
        assert!(parts[0].contains(&[Value::I64(9)]) && !parts[0].contains(&[Value::I64(10)]));
        assert!(parts[1].contains(&[Value::I64(10)]) && !parts[1].contains(&[Value::I64(20)]));
        assert!(parts[2].contains(&[Value::I64(i64::MAX)]));
        assert_eq!(parts[1].describe(), "[10, 20)");
    }

    proptest! {
        #[test]
        fn integer_cuts_are_increasing_and_inside(min in -1000i128..1000, w in 0i128..5000, parts in 1usize..50) {
            let max = min + w;
            let cuts = integer_cuts(min, max, parts);
            prop_assert!(cuts.windows(2).all(|p| p[0] < p[1]));
            prop_assert!(cuts.iter().all(|&c| c > min && c <= max));
            prop_assert!(cuts.len() < parts.max(1));
        }
    }
}
