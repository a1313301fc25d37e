//! Log sequence numbers: `binary(10)`, ordered as big-endian byte strings.
//!
//! The CDC functions compare LSNs as `binary(10)` values, and
//! `sys.fn_cdc_increment_lsn` / `sys.fn_cdc_decrement_lsn` step to the next
//! or previous representable LSN
//! (<https://learn.microsoft.com/sql/relational-databases/system-functions/sys-fn-cdc-increment-lsn-transact-sql>).
//! These are the same operations on the 80-bit big-endian integer, done here
//! so that window arithmetic needs no round trip.

use std::fmt;

use sluice_engine::position::lsn_to_hex;

/// A SQL Server log sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Lsn(pub [u8; 10]);

impl Lsn {
    /// The all-zero LSN; CDC functions return it for "no such instance / no data".
    pub const ZERO: Lsn = Lsn([0; 10]);
    /// The largest LSN.
    pub const MAX: Lsn = Lsn([0xff; 10]);

    /// From the bytes of a `binary(10)` value (`None` unless exactly 10 bytes).
    pub fn from_bytes(b: &[u8]) -> Option<Lsn> {
        Some(Lsn(b.try_into().ok()?))
    }

    pub fn is_zero(self) -> bool {
        self == Lsn::ZERO
    }

    /// The next LSN (`sys.fn_cdc_increment_lsn`); saturates at [`Lsn::MAX`].
    pub fn increment(self) -> Lsn {
        let mut b = self.0;
        for i in (0..10).rev() {
            if b[i] == 0xff {
                b[i] = 0;
            } else {
                b[i] += 1;
                return Lsn(b);
            }
        }
        Lsn::MAX
    }

    /// The previous LSN (`sys.fn_cdc_decrement_lsn`); saturates at zero.
    pub fn decrement(self) -> Lsn {
        let mut b = self.0;
        for i in (0..10).rev() {
            if b[i] == 0 {
                b[i] = 0xff;
            } else {
                b[i] -= 1;
                return Lsn(b);
            }
        }
        Lsn::ZERO
    }

    /// Parses `0x` + 20 hex digits (SQL Server's display form) or bare hex.
    pub fn parse(s: &str) -> Option<Lsn> {
        let h = s.trim().trim_start_matches("0x").trim_start_matches("0X");
        if h.len() != 20 {
            return None;
        }
        let mut out = [0u8; 10];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(h.get(i * 2..i * 2 + 2)?, 16).ok()?;
        }
        Some(Lsn(out))
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&lsn_to_hex(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn increment_carries_and_decrement_borrows() {
        let l = Lsn::parse("0x0000002A000001F80003").unwrap();
        assert_eq!(l.increment().to_string(), "0x0000002A000001F80004");
        let carry = Lsn::parse("0x0000002A0000FFFFFFFF").unwrap();
        assert_eq!(carry.increment().to_string(), "0x0000002A000100000000");
        assert_eq!(carry.increment().decrement(), carry);
        assert_eq!(Lsn::MAX.increment(), Lsn::MAX);
        assert_eq!(Lsn::ZERO.decrement(), Lsn::ZERO);
        assert!(Lsn::parse("0x12").is_none());
    }

    proptest! {
        #[test]
        fn order_is_big_endian_and_increment_is_the_successor(a in any::<[u8; 10]>(), b in any::<[u8; 10]>()) {
            let (la, lb) = (Lsn(a), Lsn(b));
            let num = |x: [u8; 10]| x.iter().fold(0u128, |acc, &v| acc << 8 | v as u128);
            prop_assert_eq!(la.cmp(&lb), num(a).cmp(&num(b)));
            if la != Lsn::MAX {
                prop_assert_eq!(num(la.increment().0), num(a) + 1);
                prop_assert_eq!(la.increment().decrement(), la);
            }
            prop_assert_eq!(Lsn::parse(&la.to_string()), Some(la));
        }
    }
}
