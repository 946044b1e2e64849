//! The articles a state holds, as compact digests: what admission and the state's row
//! filtering need to know about each article, without its strings.

/// A 128-bit digest of a string: ids are kept in memory as these, not as strings.
pub fn digest(text: &str) -> u128 {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(text.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    u128::from_be_bytes(b)
}

/// 64 bits of a content hash (itself a SHA-256 in hex); enough to tell an article's versions apart.
pub fn content_bits(content_hash: &str) -> u64 {
    content_hash
        .get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or_else(|| digest(content_hash) as u64)
}

/// The version of an article the state holds: its content and the run whose parts hold its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub content: u64,
    pub run: u32,
}

/// What admission makes of an article a run reads (see [`Known::admit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admitted {
    /// An id the state does not hold: process it.
    New,
    /// A known id with new content: process it; its new version replaces the old.
    Replaced,
    /// A known id with the content the state holds: nothing to do.
    Unchanged,
    /// The same id and content again in this run, after a copy this run processes.
    CopyOfProcessed,
    /// The same id and content again in this run, after a copy that was unchanged.
    CopyOfUnchanged,
    /// The same id again in this run with other content than its first copy.
    Conflict,
}

/// Marks, in a run number, an unchanged article that this run's admission has already seen:
/// a second copy of it is then a duplicate. Runs count from 1 and stay far below 2^31.
const SEEN: u32 = 1 << 31;

/// Ids inserted since the last merge into the sorted arrays, at most: a merge moves the arrays
/// once, so this bounds both the map (~2 MB) and the merging work (arrays moved len/65,536 times).
const PENDING_MAX: usize = 1 << 16;

/// Article id → version held, for every article of the state, and during a run the versions
/// it admits. The one structure that grows with the corpus, so it is kept as sorted parallel
/// arrays, 28 bytes an article (28 MB per million; a hash map of the same was ~70), with the
/// latest insertions in a small map until they are merged in.
#[derive(Debug, Default, Clone)]
pub struct Known {
    ids: Vec<u128>,
    contents: Vec<u64>,
    /// Run of each version, with the [`SEEN`] bit.
    runs: Vec<u32>,
    /// Ids not in `ids`, inserted since the last merge.
    pending: rustc_hash::FxHashMap<u128, (u64, u32)>,
}

impl Known {
    pub fn len(&self) -> usize {
        self.ids.len() + self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn position(&self, id: u128) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    /// Version and [`SEEN`]-marked run of `id`.
    fn raw(&self, id: u128) -> Option<(u64, u32)> {
        match self.position(id) {
            Some(i) => Some((self.contents[i], self.runs[i])),
            None => self.pending.get(&id).copied(),
        }
    }

    fn write(&mut self, id: u128, content: u64, run: u32) {
        match self.position(id) {
            Some(i) => {
                self.contents[i] = content;
                self.runs[i] = run;
            }
            None => {
                self.pending.insert(id, (content, run));
                if self.pending.len() >= PENDING_MAX {
                    self.merge_pending();
                }
            }
        }
    }

    /// Merges the pending ids into the sorted arrays, in place from the back (no second copy
    /// of the arrays; growth is exact, not doubling).
    fn merge_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut new: Vec<(u128, (u64, u32))> = self.pending.drain().collect();
        new.sort_unstable_by_key(|(id, _)| *id);
        let old_len = self.ids.len();
        let total = old_len + new.len();
        self.ids.reserve_exact(new.len());
        self.contents.reserve_exact(new.len());
        self.runs.reserve_exact(new.len());
        self.ids.resize(total, 0);
        self.contents.resize(total, 0);
        self.runs.resize(total, 0);
        let (mut old, mut dst) = (old_len, total);
        while let Some((id, (content, run))) = new.last().copied() {
            dst -= 1;
            if old > 0 && self.ids[old - 1] > id {
                old -= 1;
                self.ids[dst] = self.ids[old];
                self.contents[dst] = self.contents[old];
                self.runs[dst] = self.runs[old];
            } else {
                new.pop();
                self.ids[dst] = id;
                self.contents[dst] = content;
                self.runs[dst] = run;
            }
        }
    }

    pub fn get(&self, article_id: &str) -> Option<Version> {
        self.get_digest(digest(article_id))
    }

    pub fn get_digest(&self, id: u128) -> Option<Version> {
        self.raw(id).map(|(content, run)| Version {
            content,
            run: run & !SEEN,
        })
    }

    pub fn set(&mut self, id: u128, version: Version) {
        self.write(id, version.content, version.run & !SEEN);
    }

    /// Admission of an article read by run `run`: records what the run will hold for `id` and
    /// says what to do with the article. The first copy of an id in a run decides; later
    /// copies are duplicates (same content) or conflicts (other content).
    pub fn admit(&mut self, id: u128, content: u64, run: u32) -> Admitted {
        match self.raw(id) {
            None => {
                self.write(id, content, run);
                Admitted::New
            }
            Some((held, r)) if r == run => {
                if held == content {
                    Admitted::CopyOfProcessed
                } else {
                    Admitted::Conflict
                }
            }
            Some((held, r)) if r & SEEN != 0 => {
                if held == content {
                    Admitted::CopyOfUnchanged
                } else {
                    Admitted::Conflict
                }
            }
            Some((held, r)) if held == content => {
                self.write(id, held, r | SEEN);
                Admitted::Unchanged
            }
            Some(_) => {
                self.write(id, content, run);
                Admitted::Replaced
            }
        }
    }

    /// Forgets which unchanged articles admission saw, once a run has read all its inputs (a
    /// later run in the same process must not take their first copies for duplicates).
    pub fn end_admission(&mut self) {
        self.runs.iter_mut().for_each(|r| *r &= !SEEN);
        self.pending.values_mut().for_each(|(_, r)| *r &= !SEEN);
    }

    /// Whether a row of `article_id` with `content_hash`, in a part of `run`, counts.
    pub fn is_live(&self, article_id: &str, content_hash: &str, run: u32) -> bool {
        self.get(article_id)
            == Some(Version {
                content: content_bits(content_hash),
                run,
            })
    }

    /// Forgets `ids` (the damaged articles a run re-processes: admission then takes them for
    /// new). One pass over the arrays, however many ids.
    pub fn forget(&mut self, ids: &rustc_hash::FxHashSet<u128>) {
        if ids.is_empty() {
            return;
        }
        self.pending.retain(|id, _| !ids.contains(id));
        let mut keep = 0;
        for i in 0..self.ids.len() {
            if !ids.contains(&self.ids[i]) {
                self.ids[keep] = self.ids[i];
                self.contents[keep] = self.contents[i];
                self.runs[keep] = self.runs[i];
                keep += 1;
            }
        }
        self.ids.truncate(keep);
        self.contents.truncate(keep);
        self.runs.truncate(keep);
    }

    /// Every id and its version, in no particular order.
    pub fn ids(&self) -> impl Iterator<Item = (u128, Version)> + '_ {
        let sorted = self
            .ids
            .iter()
            .zip(self.contents.iter().zip(&self.runs))
            .map(|(id, (c, r))| (*id, *c, *r));
        let pending = self.pending.iter().map(|(id, (c, r))| (*id, *c, *r));
        sorted.chain(pending).map(|(id, content, run)| {
            (
                id,
                Version {
                    content,
                    run: run & !SEEN,
                },
            )
        })
    }

    /// The content bits of every version, sorted: a set of live contents in 8 bytes each.
    pub fn contents(&self) -> Vec<u64> {
        let mut all: Vec<u64> = self.ids().map(|(_, v)| v.content).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn forgotten_ids_are_unknown_and_the_others_keep_their_versions() {
        let mut known = Known::default();
        // Enough ids that some are merged into the arrays and some still pending.
        let n = PENDING_MAX as u128 + 100;
        for id in 0..n {
            known.set(
                id,
                Version {
                    content: id as u64,
                    run: 1,
                },
            );
        }
        let forget: rustc_hash::FxHashSet<u128> = [0, 7, n - 1, n + 5].into_iter().collect();
        known.forget(&forget);
        assert_eq!(known.len(), n as usize - 3);
        for id in [0, 7, n - 1] {
            assert_eq!(known.get_digest(id), None);
            assert_eq!(known.admit(id, id as u64, 2), Admitted::New);
        }
        assert_eq!(known.get_digest(8), Some(Version { content: 8, run: 1 }));
        assert_eq!(
            known.get_digest(n - 2),
            Some(Version {
                content: (n - 2) as u64,
                run: 1
            })
        );
    }

    #[test]
    fn lookups_agree_with_a_hash_map_across_many_merges() {
        let mut known = Known::default();
        let mut reference = HashMap::new();
        let mut rng = crate::rng::SplitMix64(7);
        // Enough ids for several merges, and overwrites of both merged and pending ids.
        for i in 0..(3 * PENDING_MAX as u64 + 1234) {
            let id = if i % 5 == 4 {
                (rng.next_u64() % (i + 1)) as u128 * 0x9e37_79b9
            } else {
                (rng.next_u64() as u128) << 64 | i as u128
            };
            let v = Version {
                content: rng.next_u64(),
                run: (i % 7) as u32 + 1,
            };
            known.set(id, v);
            reference.insert(id, v);
        }
        assert_eq!(known.len(), reference.len());
        assert!(
            known.ids.windows(2).all(|w| w[0] < w[1]),
            "the merged ids stay sorted and unique"
        );
        for (id, v) in &reference {
            assert_eq!(known.get_digest(*id), Some(*v));
        }
        let listed: HashMap<u128, Version> = known.ids().collect();
        assert_eq!(listed, reference);
        assert_eq!(known.get_digest(u128::MAX - 3), None);
    }

    #[test]
    fn admission_tells_new_replaced_unchanged_copies_and_conflicts_apart() {
        let mut known = Known::default();
        known.set(
            1,
            Version {
                content: 10,
                run: 1,
            },
        );
        known.set(
            2,
            Version {
                content: 20,
                run: 1,
            },
        );
        let run = 2;
        assert_eq!(known.admit(1, 10, run), Admitted::Unchanged);
        assert_eq!(known.admit(1, 10, run), Admitted::CopyOfUnchanged);
        assert_eq!(known.admit(1, 11, run), Admitted::Conflict);
        assert_eq!(
            known.get_digest(1),
            Some(Version {
                content: 10,
                run: 1
            }),
            "an unchanged article keeps its version"
        );
        assert_eq!(known.admit(2, 21, run), Admitted::Replaced);
        assert_eq!(known.admit(2, 21, run), Admitted::CopyOfProcessed);
        assert_eq!(
            known.admit(2, 20, run),
            Admitted::Conflict,
            "the first copy in a run decides, not the state's version"
        );
        assert_eq!(known.get_digest(2), Some(Version { content: 21, run }));
        assert_eq!(known.admit(3, 30, run), Admitted::New);
        assert_eq!(known.admit(3, 30, run), Admitted::CopyOfProcessed);
        assert_eq!(known.len(), 3);
        // The next run starts from what this one recorded, with nothing seen yet.
        known.end_admission();
        assert_eq!(known.admit(1, 10, run + 1), Admitted::Unchanged);
        assert_eq!(known.admit(2, 21, run + 1), Admitted::Unchanged);
    }
}
