//! Output: the statements, articles and rejects tables, the manifest, and atomic writes.
//! Offsets are converted here from bytes to Unicode characters, so that Python's
//! `text[start:end]` on the article text returns the statement. Every file is written to a
//! temporary name in the output folder and renamed, so a failed run never leaves half a table.

use std::io::Write;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::types::{ProcessedArticle, Reject};

// Byte → character offsets live with `Span` (the binary's `extract` and `eval` need them
// without the tables); re-exported here, where the tables use them.
pub use crate::types::{char_offset, CharOffsets};

pub fn date_column(name: &str, days: Vec<i32>) -> Result<Column> {
    Series::new(name.into(), days)
        .cast(&DataType::Date)
        .map(Column::from)
        .map_err(|e| Error::table(name, e))
}

pub fn days_since_epoch(d: chrono::NaiveDate) -> i32 {
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days() as i32
}

pub fn str_list_column(name: &str, rows: Vec<Vec<String>>) -> Column {
    let series: Vec<Series> = rows
        .into_iter()
        .map(|r| Series::new(PlSmallStr::EMPTY, r))
        .collect();
    let mut s = Series::new(name.into(), series);
    if s.dtype() != &DataType::List(Box::new(DataType::String)) {
        // An all-empty column infers a null inner type; analysts expect list<string>.
        s = s
            .cast(&DataType::List(Box::new(DataType::String)))
            .unwrap_or(s);
    }
    Column::from(s)
}

/// Statement rows of `articles`, in article order, with a `content_hash` column naming the
/// article version each row belongs to (the state's partitions keep it; published tables drop it).
/// The published order is applied by [`publication_order`].
pub fn statements_frame<'a>(
    articles: impl IntoIterator<Item = &'a ProcessedArticle>,
    scorer_id: &(String, String),
) -> Result<DataFrame> {
    let articles: Vec<&ProcessedArticle> = articles.into_iter().collect();
    let n = articles.iter().map(|p| p.statements.len()).sum();
    macro_rules! col_vec {
        ($t:ty) => {
            Vec::<$t>::with_capacity(n)
        };
    }
    // Columns borrow from the articles: polars copies each string once, into its own buffers.
    let (mut id, mut article_id, mut published, mut source, mut url, mut title) = (
        col_vec!(String),
        col_vec!(&str),
        col_vec!(i32),
        col_vec!(Option<&str>),
        col_vec!(Option<&str>),
        col_vec!(Option<&str>),
    );
    let (mut kind, mut text, mut quote, mut start, mut end, mut quote_start, mut quote_end) = (
        col_vec!(&str),
        col_vec!(&str),
        col_vec!(Option<&str>),
        col_vec!(u32),
        col_vec!(u32),
        col_vec!(Option<u32>),
        col_vec!(Option<u32>),
    );
    let (mut cue, mut speaker, mut mention, mut resolution, mut role, mut org) = (
        col_vec!(Option<&str>),
        col_vec!(Option<&str>),
        col_vec!(Option<&str>),
        col_vec!(&str),
        col_vec!(Option<&str>),
        col_vec!(Option<&str>),
    );
    let (mut country, mut country_res, mut addressee, mut attribution) = (
        col_vec!(Option<&str>),
        col_vec!(&str),
        col_vec!(Option<&str>),
        col_vec!(&str),
    );
    let mut cue_type = col_vec!(Option<&str>);
    let (mut targets, mut target, mut target_res) = (
        col_vec!(Vec<String>),
        col_vec!(Option<&str>),
        col_vec!(&str),
    );
    let mut turn = col_vec!(Option<&str>);
    let (mut tone, mut label, mut conf, mut cues, mut sentiment, mut flags) = (
        col_vec!(f64),
        col_vec!(&str),
        col_vec!(f64),
        col_vec!(Vec<String>),
        col_vec!(f64),
        col_vec!(Vec<String>),
    );
    let mut tone_lexicon = col_vec!(f64);
    let (mut scorer, mut scorer_version) = (col_vec!(&str), col_vec!(&str));
    let mut content_hash = col_vec!(&str);
    let (scorer_name, scorer_ver) = scorer_id;
    for p in &articles {
        let t = &p.article.text;
        // Checked once per article: whether byte offsets are character offsets.
        let offsets = CharOffsets::new(t);
        for s in &p.statements {
            let st = &s.statement;
            let (char_start, char_end) = (offsets.of(st.span.start), offsets.of(st.span.end));
            id.push(statement_id(
                &p.article.id,
                st.kind.as_str(),
                char_start,
                char_end,
            ));
            article_id.push(p.article.id.as_str());
            published.push(days_since_epoch(p.article.published));
            source.push(p.article.source.as_deref());
            url.push(p.article.url.as_deref());
            title.push(p.article.title.as_deref());
            kind.push(st.kind.as_str());
            text.push(st.span.slice(t));
            quote.push(st.quote.map(|q| q.slice(t)));
            start.push(char_start as u32);
            end.push(char_end as u32);
            quote_start.push(st.quote.map(|q| offsets.of(q.start) as u32));
            quote_end.push(st.quote.map(|q| offsets.of(q.end) as u32));
            cue.push(st.cue.map(|c| c.slice(t)));
            speaker.push(s.speaker.name.as_deref());
            mention.push(st.speaker_mention.map(|m| m.slice(t)));
            resolution.push(s.speaker.resolution.as_str());
            role.push(s.speaker.role.as_deref());
            org.push(s.speaker.organisation.as_deref());
            country.push(s.speaker.country.as_deref());
            country_res.push(s.speaker.country_resolution.as_str());
            addressee.push(s.addressee.as_deref());
            targets.push(s.target.targets.clone());
            target.push(s.target.main());
            target_res.push(s.target.resolution.as_str());
            attribution.push(st.attribution.as_str());
            cue_type.push(st.cue_type);
            turn.push(s.turn.map(|l| l.slice(t)));
            tone.push(s.tone.tone);
            label.push(s.tone.label.as_str());
            conf.push(s.tone.confidence);
            cues.push(s.tone.cues.clone());
            sentiment.push(s.tone.sentiment);
            tone_lexicon.push(s.tone.lexicon_tone);
            flags.push(st.flags.iter().map(|f| f.to_string()).collect());
            scorer.push(scorer_name.as_str());
            scorer_version.push(scorer_ver.as_str());
            content_hash.push(p.content_hash.as_str());
        }
    }
    let columns = vec![
        Column::new("statement_id".into(), id),
        Column::new("article_id".into(), article_id),
        date_column("published", published)?,
        Column::new("source".into(), source),
        Column::new("url".into(), url),
        Column::new("title".into(), title),
        Column::new("kind".into(), kind),
        Column::new("text".into(), text),
        Column::new("quote".into(), quote),
        Column::new("start".into(), start),
        Column::new("end".into(), end),
        Column::new("quote_start".into(), quote_start),
        Column::new("quote_end".into(), quote_end),
        Column::new("cue".into(), cue),
        Column::new("cue_type".into(), cue_type),
        Column::new("speaker".into(), speaker),
        Column::new("speaker_mention".into(), mention),
        Column::new("speaker_resolution".into(), resolution),
        Column::new("speaker_role".into(), role),
        Column::new("speaker_org".into(), org),
        Column::new("country".into(), country),
        Column::new("country_resolution".into(), country_res),
        Column::new("addressee".into(), addressee),
        str_list_column("targets", targets),
        Column::new("target".into(), target),
        Column::new("target_resolution".into(), target_res),
        Column::new("attribution".into(), attribution),
        Column::new("turn".into(), turn),
        Column::new("tone".into(), tone),
        Column::new("tone_label".into(), label),
        Column::new("tone_confidence".into(), conf),
        str_list_column("tone_cues", cues),
        Column::new("sentiment".into(), sentiment),
        Column::new("tone_lexicon".into(), tone_lexicon),
        Column::new("scorer".into(), scorer),
        Column::new("scorer_version".into(), scorer_version),
        str_list_column("flags", flags),
        Column::new("content_hash".into(), content_hash),
    ];
    DataFrame::new(n, columns).map_err(|e| Error::table("statements", e))
}

/// The statement rows' columns with no row (a part or table that has none).
pub fn empty_statement_rows() -> Result<DataFrame> {
    statements_frame(std::iter::empty(), &(String::new(), String::new()))
}

/// A statement's id: stable across runs for the same article id, kind and span.
pub fn statement_id(article_id: &str, kind: &str, start: usize, end: usize) -> String {
    let h = crate::models::sha256_hex(
        format!("{article_id}\u{0}{kind}\u{0}{start}\u{0}{end}").as_bytes(),
    );
    h[..16].to_string()
}

/// The order of the published `statements.parquet`: by country, speaker, publication date,
/// article and position, unknown countries and speakers last.
pub fn publication_order(df: &DataFrame) -> Result<DataFrame> {
    df.sort(
        [
            "country",
            "speaker",
            "published",
            "article_id",
            "start",
            "end",
            "kind",
        ],
        SortMultipleOptions::default()
            .with_nulls_last(true)
            .with_maintain_order(true),
    )
    .map_err(|e| Error::table("statements", e))
}

/// `rejects.parquet`: every input record that did not become an article, and why.
pub fn rejects_frame(rejects: &[Reject]) -> Result<DataFrame> {
    let columns = vec![
        Column::new(
            "input".into(),
            rejects.iter().map(|r| r.input.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "line".into(),
            rejects.iter().map(|r| r.line).collect::<Vec<_>>(),
        ),
        Column::new(
            "article_id".into(),
            rejects
                .iter()
                .map(|r| r.article_id.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "reason".into(),
            rejects.iter().map(|r| r.reason.clone()).collect::<Vec<_>>(),
        ),
    ];
    DataFrame::new(rejects.len(), columns).map_err(|e| Error::table("rejects", e))
}

/// The temporary name `write_atomic` writes `name` under: hidden, and marked with the writer's
/// process id so that leftovers of a killed writer can be told from a live one's.
pub fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}{TEMP_MARK}{pid}")
}

pub const TEMP_MARK: &str = ".tmp-";

/// Writes a file through a temporary name in the same folder, syncs it, and renames it.
pub fn write_atomic(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    let tmp = dir.join(temp_name(name, std::process::id()));
    let target = dir.join(name);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        write(&mut file)?;
        file.flush().map_err(|e| Error::io(&tmp, e))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_count_unicode_characters() {
        let t = "“Hi,” said Xi – ok";
        let b = t.find("said").unwrap();
        assert_eq!(char_offset(t, b), 6);
    }

    #[test]
    fn statement_ids_are_stable_and_distinct() {
        assert_eq!(
            statement_id("a", "direct", 1, 5),
            statement_id("a", "direct", 1, 5)
        );
        assert_ne!(
            statement_id("a", "direct", 1, 5),
            statement_id("a", "direct", 1, 6)
        );
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let r = write_atomic(dir.path(), "x.parquet", |_| {
            Err(Error::Scorer {
                name: "t".into(),
                message: "boom".into(),
            })
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
