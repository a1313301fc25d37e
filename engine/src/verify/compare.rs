//! Merge-comparing the rows of one range from both sides.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::canonical::{canonical_row, cmp_keys, frame_value, CanonError};
use super::side::TableSpec;
use crate::value::Value;

/// One difference between source and target (the source is the truth).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RowDiff {
    /// In the source, not in the target.
    Missing {
        key: Vec<Value>,
        source: Vec<Value>,
        /// How many copies are missing (more than 1 only in keyless tables).
        copies: u64,
    },
    /// In the target, not in the source.
    Extra {
        key: Vec<Value>,
        target: Vec<Value>,
        copies: u64,
    },
    /// Same key, different values in `columns`.
    Changed {
        key: Vec<Value>,
        source: Vec<Value>,
        target: Vec<Value>,
        columns: Vec<usize>,
    },
}

impl RowDiff {
    pub fn key(&self) -> &[Value] {
        match self {
            RowDiff::Missing { key, .. }
            | RowDiff::Extra { key, .. }
            | RowDiff::Changed { key, .. } => key,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            RowDiff::Missing { .. } => "missing",
            RowDiff::Extra { .. } => "extra",
            RowDiff::Changed { .. } => "changed",
        }
    }
}

struct Keyed {
    key: Vec<Value>,
    canon: Vec<u8>,
    row: Vec<Value>,
}

fn prepare(spec: &TableSpec, rows: Vec<Vec<Value>>) -> Result<Vec<Keyed>, CanonError> {
    let kinds = spec.kinds();
    let key_idx = spec.effective_key();
    let mut out = rows
        .into_iter()
        .map(|row| {
            Ok(Keyed {
                key: key_idx.iter().map(|&i| row[i].clone()).collect(),
                canon: canonical_row(&row, &kinds)?,
                row,
            })
        })
        .collect::<Result<Vec<_>, CanonError>>()?;
    out.sort_by(|a, b| cmp_keys(&a.key, &b.key).then_with(|| a.canon.cmp(&b.canon)));
    Ok(out)
}

fn changed_columns(spec: &TableSpec, a: &[Value], b: &[Value]) -> Result<Vec<usize>, CanonError> {
    let mut out = Vec::new();
    for (i, c) in spec.columns.iter().enumerate() {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        frame_value(&mut x, &a[i], c.kind)?;
        frame_value(&mut y, &b[i], c.kind)?;
        if x != y {
            out.push(i);
        }
    }
    Ok(out)
}

/// Compares the rows of one range. Rows need not arrive sorted.
pub fn diff_rows(
    spec: &TableSpec,
    source: Vec<Vec<Value>>,
    target: Vec<Vec<Value>>,
) -> Result<Vec<RowDiff>, CanonError> {
    let s = prepare(spec, source)?;
    let t = prepare(spec, target)?;
    let mut diffs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < s.len() || j < t.len() {
        let ord = match (s.get(i), t.get(j)) {
            (Some(a), Some(b)) => cmp_keys(&a.key, &b.key),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        match ord {
            Ordering::Less => {
                let n = run_len(&s, i);
                diffs.push(RowDiff::Missing {
                    key: s[i].key.clone(),
                    source: s[i].row.clone(),
                    copies: n as u64,
                });
                i += n;
            }
            Ordering::Greater => {
                let n = run_len(&t, j);
                diffs.push(RowDiff::Extra {
                    key: t[j].key.clone(),
                    target: t[j].row.clone(),
                    copies: n as u64,
                });
                j += n;
            }
            Ordering::Equal => {
                let (ns, nt) = (key_group(&s, i), key_group(&t, j));
                if ns == 1 && nt == 1 {
                    if s[i].canon != t[j].canon {
                        diffs.push(RowDiff::Changed {
                            key: s[i].key.clone(),
                            source: s[i].row.clone(),
                            target: t[j].row.clone(),
                            columns: changed_columns(spec, &s[i].row, &t[j].row)?,
                        });
                    }
                } else {
                    multiset_diff(&s[i..i + ns], &t[j..j + nt], &mut diffs);
                }
                i += ns;
                j += nt;
            }
        }
    }
    Ok(diffs)
}

/// Rows from `at` with the same key (a keyless table's duplicates).
fn key_group(v: &[Keyed], at: usize) -> usize {
    v[at..]
        .iter()
        .take_while(|r| cmp_keys(&r.key, &v[at].key) == Ordering::Equal)
        .count()
}

/// Identical rows from `at` (same key and same canonical bytes).
fn run_len(v: &[Keyed], at: usize) -> usize {
    v[at..]
        .iter()
        .take_while(|r| r.canon == v[at].canon && cmp_keys(&r.key, &v[at].key) == Ordering::Equal)
        .count()
}

/// Both groups share one key; compare them as multisets of whole rows.
fn multiset_diff(s: &[Keyed], t: &[Keyed], diffs: &mut Vec<RowDiff>) {
    let (mut i, mut j) = (0, 0);
    while i < s.len() || j < t.len() {
        let ord = match (s.get(i), t.get(j)) {
            (Some(a), Some(b)) => a.canon.cmp(&b.canon),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        let (ns, nt) = match ord {
            Ordering::Less => (run_len(s, i), 0),
            Ordering::Greater => (0, run_len(t, j)),
            Ordering::Equal => (run_len(s, i), run_len(t, j)),
        };
        if ns > nt {
            diffs.push(RowDiff::Missing {
                key: s[i].key.clone(),
                source: s[i].row.clone(),
                copies: (ns - nt) as u64,
            });
        } else if nt > ns {
            diffs.push(RowDiff::Extra {
                key: t[j].key.clone(),
                target: t[j].row.clone(),
                copies: (nt - ns) as u64,
            });
        }
        i += ns;
        j += nt;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::TableRef;
    use crate::verify::{CanonKind, ColumnSpec};

    fn spec(key: Vec<usize>) -> TableSpec {
        TableSpec {
            source: TableRef::new("dbo", "t"),
            target: TableRef::new("db", "t"),
            columns: vec![
                ColumnSpec {
                    name: "id".into(),
                    kind: CanonKind::Int,
                },
                ColumnSpec {
                    name: "name".into(),
                    kind: CanonKind::Text {
                        trim_trailing_spaces: false,
                    },
                },
            ],
            key,
        }
    }

    fn row(id: i64, name: &str) -> Vec<Value> {
        vec![Value::I64(id), Value::String(name.into())]
    }

    #[test]
    fn finds_missing_extra_and_changed() {
        let s = vec![row(1, "a"), row(2, "b"), row(3, "c")];
        let t = vec![row(3, "C"), row(1, "a"), row(4, "d")];
        let d = diff_rows(&spec(vec![0]), s, t).unwrap();
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(matches!(&d[0], RowDiff::Missing { key, .. } if key == &vec![Value::I64(2)]));
        assert!(matches!(&d[1], RowDiff::Changed { columns, .. } if columns == &vec![1]));
        assert!(matches!(&d[2], RowDiff::Extra { key, .. } if key == &vec![Value::I64(4)]));
    }

    #[test]
    fn keyless_duplicates_are_counted() {
        let s = vec![row(1, "a"), row(1, "a"), row(2, "b")];
        let t = vec![row(1, "a"), row(2, "b"), row(2, "b"), row(2, "b")];
        let d = diff_rows(&spec(vec![]), s, t).unwrap();
        assert_eq!(
            d.iter()
                .map(|x| (
                    x.kind(),
                    match x {
                        RowDiff::Missing { copies, .. } | RowDiff::Extra { copies, .. } => *copies,
                        _ => 0,
                    }
                ))
                .collect::<Vec<_>>(),
            vec![("missing", 1), ("extra", 2)]
        );
    }

    #[test]
    fn equal_sides_have_no_diffs() {
        let s = vec![row(1, "a"), row(2, "b")];
        assert!(diff_rows(&spec(vec![0]), s.clone(), s).unwrap().is_empty());
    }
}
