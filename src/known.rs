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

/// Article id → version held, for every article of the state. About 50 bytes an article: the
/// one structure that grows with the corpus (20 MB per 400,000 articles).
#[derive(Debug, Default, Clone)]
pub struct Known {
    map: rustc_hash::FxHashMap<u128, Version>,
}

impl Known {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn get(&self, article_id: &str) -> Option<Version> {
        self.map.get(&digest(article_id)).copied()
    }

    pub fn contains(&self, article_id: &str) -> bool {
        self.map.contains_key(&digest(article_id))
    }

    pub fn set(&mut self, id: u128, version: Version) {
        self.map.insert(id, version);
    }

    /// Whether a row of `article_id` with `content_hash`, in a part of `run`, counts.
    pub fn is_live(&self, article_id: &str, content_hash: &str, run: u32) -> bool {
        self.get(article_id)
            == Some(Version {
                content: content_bits(content_hash),
                run,
            })
    }

    pub fn ids(&self) -> impl Iterator<Item = (&u128, &Version)> {
        self.map.iter()
    }
}
