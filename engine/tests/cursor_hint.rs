//! The local cursor hint follows the target after a restart.

use std::sync::{Arc, Mutex};

use sluice_engine::log::{EventLog, LogOptions};
use sluice_engine::pipeline::{Apply, ApplyCursor, ApplyOptions};
use sluice_engine::testing::{sample_transaction, MemorySink, MemoryTarget};

/// A run that commits and then dies before storing its hint leaves the hint
/// behind the target; the next run's restart must bring it level, even when
/// nothing is left to apply.
#[tokio::test]
async fn restart_brings_the_hint_level_with_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(EventLog::open(dir.path(), LogOptions::default()).unwrap());
    let txs: Vec<_> = (1..=3).map(|i| sample_transaction(i, 1)).collect();
    log.append(&txs, true).unwrap();
    // A previous run committed records 1..=3 with its cursor, then was
    // killed before it stored its local hint.
    let target = Arc::new(Mutex::new(MemoryTarget::default()));
    target.lock().unwrap().cursors.insert(
        "p".into(),
        ApplyCursor {
            seq: 3,
            position: txs[2].position.clone(),
        },
    );
    let hint = |log: &EventLog| {
        log.cursor_hints()
            .unwrap()
            .into_iter()
            .find(|(n, _)| n == "p")
            .map(|(_, c)| c.seq)
    };
    assert_eq!(hint(&log), None, "the dead run never stored its hint");

    let mut again = Apply::new(
        MemorySink::new(target.clone()),
        log.clone(),
        "p",
        ApplyOptions::default(),
    );
    again.restart().await.unwrap();
    assert_eq!(again.step().await.unwrap(), 0, "nothing left to apply");
    assert_eq!(
        hint(&log),
        Some(3),
        "the hint now says what the target says"
    );
}
