//! The state's self-check: every article the index holds has exactly its statement rows, as
//! many as its index row's `statements` says.
//!
//! Why: two runs that wrote one folder at once (before the lock of issue 22) could leave an
//! index that claims articles whose rows another run's part had overwritten. Such articles are
//! "known", so no later run would process them again, and their statements were lost for good.
//! `run` audits the state it loads and re-processes the damaged articles its inputs hold;
//! `tonetrack check` reports them; the run id covers what the audit finds, so a damaged state
//! never publishes under the id of the intact one.
//!
//! ```text
//! month=2025-02  index: a1 (statements 3), a2 (statements 2)   rows: a1 ×3, a2 ×0
//!                → damaged: a2, expected 2, found 0
//! ```
//!
//! Example:
//!
//! ```no_run
//! use tonetrack::store::{self, State};
//! let storage = store::open("out")?;
//! let state = State::load(storage.as_ref())?;
//! for d in state.audit(storage.as_ref())?.damaged {
//!     println!("{}: {} statement rows, the index says {}", d.article_id, d.found, d.expected);
//! }
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use std::collections::BTreeSet;

use super::{digest, read_live, str_column, u32_column, State, Storage};
use crate::error::Result;

/// An article whose live rows disagree with its index row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    pub article_id: String,
    /// The month partition of its rows.
    pub month: String,
    /// Statements its index row (or rows) records.
    pub expected: u32,
    /// Live statement rows found for it.
    pub found: u32,
    /// Live index rows for it (1 when intact).
    pub index_rows: u32,
}

/// What [`State::audit`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    /// Live index rows read.
    pub articles: u64,
    /// Live statement rows read.
    pub statements: u64,
    /// Damaged articles, by id.
    pub damaged: Vec<Damaged>,
}

/// Per article of one month: id, statements expected, rows found, index rows.
type Tally = rustc_hash::FxHashMap<u128, (String, u32, u32, u32)>;

impl State {
    /// Counts, month by month, every live article's statement rows against its index row.
    /// Memory: one month's articles. Reads the `article_id`, `content_hash` (and `statements`)
    /// columns of every part once.
    pub fn audit(&self, storage: &dyn Storage) -> Result<Audit> {
        let months: BTreeSet<&String> = self
            .commit
            .articles
            .keys()
            .chain(self.commit.statements.keys())
            .collect();
        let mut audit = Audit::default();
        let none = Vec::new();
        for month in months {
            let mut tally = Tally::default();
            let index_keys = self.commit.articles.get(month).unwrap_or(&none);
            read_live(
                storage,
                index_keys,
                &self.known,
                Some(&["article_id", "content_hash", "statements"]),
                |df| {
                    let ids = str_column(&df, "article_id", "articles")?;
                    let counts = u32_column(&df, "statements", "articles")?;
                    for (id, n) in ids.iter().zip(counts.iter()) {
                        let id = id.unwrap_or_default();
                        let entry = tally
                            .entry(digest(id))
                            .or_insert_with(|| (id.to_string(), 0, 0, 0));
                        entry.1 += n.unwrap_or(0);
                        entry.3 += 1;
                        audit.articles += 1;
                    }
                    Ok(())
                },
            )?;
            let row_keys = self.commit.statements.get(month).unwrap_or(&none);
            read_live(
                storage,
                row_keys,
                &self.known,
                Some(&["article_id", "content_hash"]),
                |df| {
                    let ids = str_column(&df, "article_id", "statements")?;
                    for id in ids.iter() {
                        let id = id.unwrap_or_default();
                        // A live row without an index row in its month counts as damage too.
                        tally
                            .entry(digest(id))
                            .or_insert_with(|| (id.to_string(), 0, 0, 0))
                            .2 += 1;
                        audit.statements += 1;
                    }
                    Ok(())
                },
            )?;
            audit.damaged.extend(
                tally
                    .into_values()
                    .filter(|(_, expected, found, index_rows)| {
                        (expected, index_rows) != (found, &1)
                    })
                    .map(|(article_id, expected, found, index_rows)| Damaged {
                        article_id,
                        month: month.clone(),
                        expected,
                        found,
                        index_rows,
                    }),
            );
        }
        audit
            .damaged
            .sort_by(|a, b| (&a.article_id, &a.month).cmp(&(&b.article_id, &b.month)));
        Ok(audit)
    }
}

impl Audit {
    /// Up to `n` damaged articles as `id (expected E, found F)`, for messages.
    pub fn first(&self, n: usize) -> String {
        let mut text = self
            .damaged
            .iter()
            .take(n)
            .map(|d| {
                let rows = if d.index_rows == 1 {
                    String::new()
                } else {
                    format!(", {} index rows", d.index_rows)
                };
                format!(
                    "{} ({}: {} statements recorded, {} rows{rows})",
                    d.article_id, d.month, d.expected, d.found
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        if self.damaged.len() > n {
            text.push_str(&format!(" and {} more", self.damaged.len() - n));
        }
        text
    }
}
