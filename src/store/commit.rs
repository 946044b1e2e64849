//! The commit protocol: how a run's parts become part of the state. Parts first (compacting a
//! month that has [`MAX_PARTS`]), then the duplicates and the rejects, then `state/commit.json`,
//! the commit point, which lists the parts that count; parts it does not list (a killed run's,
//! or those a compaction replaced) are deleted afterwards. A run killed at any step leaves the
//! old commit or the new one.
//!
//! Example (the end of `job::run`):
//!
//! ```no_run
//! use tonetrack::store::{self, State, StateWriter, Update};
//! # fn update() -> Update { unimplemented!() }
//! let storage = store::open("out")?;
//! let mut state = State::load(storage.as_ref())?;
//! let scratch = storage.scratch()?;
//! let writer = StateWriter::new(state.commit.runs + 1, scratch.path.clone());
//! // … the run adds its rows to `writer` and its versions to `state.known` …
//! store::commit(storage.as_ref(), &mut state, writer, update())?;
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use std::collections::BTreeSet;

use polars::prelude::*;

use super::{
    canonical_rejects, err, parquet_bytes, Commit, State, StateMeta, StateWriter, Storage,
    ARTICLES, COMMIT, DUPLICATES, META, REJECTS, STATEMENTS,
};
use crate::error::{Error, Result};
use crate::types::Reject;

/// Parts a month may have before a run that writes to it compacts them into one.
pub const MAX_PARTS: usize = 8;

/// What one run (or one merge) adds to a state, besides its parts.
pub struct Update {
    pub meta: StateMeta,
    /// Content hash → copies skipped as duplicates, for articles this run processed.
    pub duplicates: Vec<(String, u32)>,
    /// Inputs this run read: their stored rejects are replaced by `rejects`.
    pub inputs_read: BTreeSet<String>,
    pub rejects: Vec<Reject>,
}

/// Whether anything was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    Unchanged,
    Changed,
}

/// Applies a run: `state.known` must already hold the run's versions under the writer's run
/// (admission records them as it reads; a merge sets them). Then its parts (compacting crowded months), the duplicates, the rejects, then
/// `commit.json` (the commit point), then removes parts no longer listed. `crash_point` lets
/// tests stop the process between the steps.
pub fn commit(
    storage: &dyn Storage,
    state: &mut State,
    mut writer: StateWriter,
    update: Update,
) -> Result<Committed> {
    let mut changed = false;
    if state.meta.as_ref() != Some(&update.meta) {
        let text = serde_json::to_string_pretty(&update.meta)
            .map_err(|e| Error::io(META, std::io::Error::other(e)))?
            + "\n";
        storage.write(META, text.as_bytes())?;
        state.meta = Some(update.meta.clone());
        changed = true;
    }
    let run = writer.run;
    writer.flush()?;
    let mut commit = state.commit.clone();
    let months: Vec<String> = writer.months().cloned().collect();
    for month in &months {
        let old_s = commit.statements.get(month).cloned().unwrap_or_default();
        let old_a = commit.articles.get(month).cloned().unwrap_or_default();
        if old_s.len().max(old_a.len()) + 1 > MAX_PARTS {
            writer.absorb(storage, &old_s, &old_a, &mut state.known)?;
            commit.statements.remove(month);
            commit.articles.remove(month);
        }
    }
    for (month, (s_key, a_key)) in writer.finish(storage)? {
        commit
            .statements
            .entry(month.clone())
            .or_default()
            .push(s_key);
        commit.articles.entry(month).or_default().push(a_key);
    }
    crash_point("partition");
    if !update.duplicates.is_empty() {
        let key = format!("{DUPLICATES}/part-{run:06}.parquet");
        let (hashes, copies): (Vec<String>, Vec<u32>) = update.duplicates.into_iter().unzip();
        let mut df = DataFrame::new(
            hashes.len(),
            vec![
                Column::new("content_hash".into(), hashes),
                Column::new("copies".into(), copies),
            ],
        )
        .map_err(err("duplicates"))?;
        storage.write(&key, &parquet_bytes(&mut df, &key, None)?)?;
        commit.duplicates.push(key);
    }

    let mut rejects: Vec<Reject> = state
        .rejects
        .iter()
        .filter(|r| !update.inputs_read.contains(&r.input))
        .cloned()
        .collect();
    rejects.extend(update.rejects);
    let rejects = canonical_rejects(rejects);
    if rejects != state.rejects {
        storage.write(
            REJECTS,
            &parquet_bytes(&mut crate::output::rejects_frame(&rejects)?, REJECTS, None)?,
        )?;
        state.rejects = rejects;
        changed = true;
    }
    crash_point("rejects");

    if commit != state.commit {
        commit.runs = run;
        let text = serde_json::to_string_pretty(&commit)
            .map_err(|e| Error::io(COMMIT, std::io::Error::other(e)))?
            + "\n";
        storage.write(COMMIT, text.as_bytes())?;
        state.commit = commit;
        changed = true;
    }
    crash_point("index");
    remove_unlisted(storage, &state.commit)?;
    Ok(if changed {
        Committed::Changed
    } else {
        Committed::Unchanged
    })
}

/// Deletes parts that `commit` does not list: those of a killed run, and those a compaction or
/// a rebuild replaced.
pub fn remove_unlisted(storage: &dyn Storage, commit: &Commit) -> Result<usize> {
    let listed = commit.keys();
    let mut removed = 0;
    for table in [STATEMENTS, ARTICLES, DUPLICATES] {
        for key in storage.list(table)? {
            if !listed.contains(key.as_str()) {
                storage.delete(&key)?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Testing hook: `TONETRACK_CRASH_AT=partition|rejects|index|tables` aborts the process right
/// after that step, like `kill -9` would, so tests can prove a re-run repairs the state.
pub fn crash_point(step: &str) {
    if std::env::var("TONETRACK_CRASH_AT").is_ok_and(|v| v == step) {
        std::process::abort();
    }
}
