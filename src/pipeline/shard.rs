//! `--shard I/N`: which articles (and rejects) one copy of a sharded run takes, so that N copies
//! run as a job array and `tonetrack merge` publishes what one unsharded run would.
//!
//! Example: `"1/4".parse::<Shard>()` gives `Shard { index: 1, count: 4 }`, and
//! `shard.owns("article-17")` is true for about a quarter of all ids: a hash of the id modulo 4
//! equals 1, whatever the ids look like.

use crate::models::sha256_hex;
use crate::types::Reject;

/// `--shard I/N`: this copy takes the articles whose id hashes to I modulo N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?}: write the shard as I/N, e.g. 0/4"))?;
        let index: u64 = i
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: shard index {i:?} is not a number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: shard count {n:?} is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("{s:?}: need 0 <= I < N"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether `key` (an article id, or the place of a reject without one) belongs to this shard.
    /// A hash, not the id's order, so shards get similar loads whatever the ids look like.
    pub fn owns(&self, key: &str) -> bool {
        let h = sha256_hex(key.as_bytes());
        u64::from_str_radix(&h[..15], 16).unwrap_or(0) % self.count == self.index
    }

    pub fn owns_reject(&self, r: &Reject) -> bool {
        match &r.article_id {
            Some(id) => self.owns(id),
            None => self.owns(&format!("{}\u{0}{}", r.input, r.line.unwrap_or(0))),
        }
    }
}
