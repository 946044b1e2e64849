//! `tonetrack merge`: the states of shard runs (`run --shard I/N`) combined into one state and
//! published, byte-identical to one unsharded run. Each article comes from the first shard that
//! holds it; the same id with other content in two shards is an error.
//!
//! Example:
//!
//! ```no_run
//! use tonetrack::{config::Config, job, store::{self, lock::LockRequest}};
//! let (a, b) = (store::open("shard0")?, store::open("shard1")?);
//! let out = store::open("out")?;
//! job::merge(&[a.as_ref(), b.as_ref()], out.as_ref(), &Config::default(),
//!     "2026-12-04T12:00:00Z", &LockRequest::default())?;
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use serde_json::json;

use super::{open_state, publish, Published};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::store::lock::{self, LockRequest};
use crate::store::{self, State, StateMeta, StateWriter, Storage, Update};

/// `tonetrack merge`: makes `target`'s state the union of the shards' states and publishes it.
/// Two shards holding the same article id with different content is an error, not a choice.
pub fn merge(
    shards: &[&dyn Storage],
    target: &dyn Storage,
    config: &Config,
    started_at: &str,
    lock: &LockRequest,
) -> Result<Published> {
    let held = lock::acquire(target, lock)?;
    let mut meta: Option<StateMeta> = None;
    let mut states = Vec::new();
    for shard in shards {
        let state = State::load(*shard)?;
        let Some(m) = state.meta.clone() else {
            return Err(Error::State {
                location: shard.describe(),
                message: "no tonetrack state here (state/meta.json missing): run the shard first"
                    .into(),
            });
        };
        if m.format != store::STATE_FORMAT {
            return Err(Error::State {
                location: shard.describe(),
                message: format!("this shard's state has format {} (this tonetrack reads {}); rerun the shard with --rebuild", m.format, store::STATE_FORMAT),
            });
        }
        match &meta {
            Some(first) => {
                if let Some(why) = first.incompatibility(&m) {
                    return Err(Error::State {
                        location: shard.describe(),
                        message: format!("this shard was computed with {why} than the first shard; rerun it with the same build, models and --precision (auto picks by CPU, so shards on different kinds of machine need it given)"),
                    });
                }
            }
            None => meta = Some(m),
        }
        states.push(state);
    }
    let Some(meta) = meta else {
        return Err(Error::State {
            location: target.describe(),
            message: "merge needs at least one shard".into(),
        });
    };
    // Each article comes from the first shard that holds it; the same id with other content is an error.
    let mut owner: rustc_hash::FxHashMap<u128, (u64, usize)> = rustc_hash::FxHashMap::default();
    for (i, state) in states.iter().enumerate() {
        for (id, v) in state.known.ids() {
            match owner.get(&id) {
                Some((content, first)) if *content != v.content => {
                    return Err(Error::State {
                        location: shards[i].describe(),
                        message: format!(
                            "an article of this shard is also in {} with different content; shards must split articles by id",
                            shards[*first].describe()
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    owner.insert(id, (v.content, i));
                }
            }
        }
    }
    let mut target_state = open_state(target, &meta, true)?;
    let scratch = target.scratch()?;
    let mut writer = StateWriter::new(1, scratch.path.clone());
    let mut rejects = Vec::new();
    let mut duplicates: BTreeMap<String, u32> = BTreeMap::new();
    for (i, (shard, state)) in shards.iter().zip(&states).enumerate() {
        let mine = |id: &str, _: &str| owner.get(&store::digest(id)).is_some_and(|(_, o)| *o == i);
        for keys in state.commit.articles.values() {
            store::read_live(*shard, keys, &state.known, None, |df| {
                writer.add(DataFrame::empty(), store::filter_rows(&df, mine)?)
            })?;
        }
        for keys in state.commit.statements.values() {
            store::read_live(*shard, keys, &state.known, None, |df| {
                writer.add(store::filter_rows(&df, mine)?, DataFrame::empty())
            })?;
        }
        let live: rustc_hash::FxHashSet<u64> = state
            .known
            .ids()
            .filter(|(id, _)| owner.get(id).is_some_and(|(_, o)| *o == i))
            .map(|(_, v)| v.content)
            .collect();
        for key in &state.commit.duplicates {
            store::read_part_slices(*shard, key, None, |df| {
                let hashes = store::str_column(&df, "content_hash", "duplicates")?;
                let copies = store::u32_column(&df, "copies", "duplicates")?;
                for (h, c) in hashes.iter().zip(copies.iter()) {
                    let h = h.unwrap_or_default();
                    if live.contains(&store::content_bits(h)) {
                        *duplicates.entry(h.to_string()).or_default() += c.unwrap_or(0);
                    }
                }
                Ok(())
            })?;
        }
        rejects.extend(state.rejects.iter().cloned());
    }
    for (id, (content, _)) in &owner {
        target_state.known.set(
            *id,
            store::Version {
                content: *content,
                run: writer.run,
            },
        );
    }
    let update = Update {
        meta,
        duplicates: duplicates.into_iter().collect(),
        inputs_read: BTreeSet::new(),
        rejects,
    };
    held.still_held()?;
    store::commit(target, &mut target_state, writer, update)?;
    let fingerprint = target_state.fingerprint(target)?;
    let sources: Vec<String> = shards.iter().map(|s| s.describe()).collect();
    held.still_held()?;
    let published = publish(
        target,
        &target_state,
        config,
        &fingerprint,
        started_at,
        json!({ "merged_from": sources }),
    )?;
    held.release()?;
    Ok(published)
}
