//! Plain domain types that flow between the stages. Offsets inside the pipeline are byte
//! offsets into `Article::text`; they are converted to Unicode character offsets only when a
//! table is written, so Python's `text[start:end]` works on the output.

use chrono::NaiveDate;
use serde::Serialize;

pub use crate::rule::{Flag, Rule};

/// One news article exactly as ingested, with its metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: String,
    pub published: NaiveDate,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    /// The body as ingested; every offset downstream points into this string.
    pub text: String,
    /// Where it came from: file path (or `-` for stdin) and 1-based line for JSONL.
    pub origin: Origin,
    /// Whether the text is news or a transcript, when the input says so (JSONL `format`);
    /// None leaves it to the run's setting (`[input] format`, `run --format`).
    pub format: Option<DocFormat>,
}

/// What kind of document an article is: news (speech in quotation marks and reported clauses)
/// or a transcript (speech marked by speaker labels at the start of paragraphs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocFormat {
    /// Decide per document from its speaker labels ([`crate::transcript::detect`]).
    #[default]
    Auto,
    Article,
    Transcript,
}

impl DocFormat {
    pub fn as_str(&self) -> &'static str {
        match self {
            DocFormat::Auto => "auto",
            DocFormat::Article => "article",
            DocFormat::Transcript => "transcript",
        }
    }
}

impl std::str::FromStr for DocFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(DocFormat::Auto),
            "article" => Ok(DocFormat::Article),
            "transcript" => Ok(DocFormat::Transcript),
            _ => Err(format!("{s:?}: expected auto, article or transcript")),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Origin {
    pub input: String,
    pub line: Option<u64>,
}

/// An input record that could not become an article, or an article the run could not use.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reject {
    pub input: String,
    pub line: Option<u64>,
    pub article_id: Option<String>,
    pub reason: String,
}

/// A byte span `[start, end)` into an article's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// Character offset of a byte offset (both into the same text).
pub fn char_offset(text: &str, byte: usize) -> usize {
    CharOffsets::new(text).of(byte)
}

/// Byte → character offsets in one article. Most news is ASCII, where the two are equal: that
/// is checked once per article instead of counting characters for every statement.
pub struct CharOffsets<'a> {
    text: &'a str,
    ascii: bool,
}

impl<'a> CharOffsets<'a> {
    pub fn new(text: &'a str) -> Self {
        CharOffsets {
            text,
            ascii: text.is_ascii(),
        }
    }

    pub fn of(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        if self.ascii {
            byte
        } else {
            self.text[..byte].chars().count()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatementKind {
    /// Words inside quotation marks that form the whole reported content.
    Direct,
    /// Quoted words embedded in a reported clause.
    Partial,
    /// Speech reported without quotation marks.
    Reported,
    /// A transcript's speech: one paragraph (or the words between two stage directions) of a
    /// turn, said by the turn's labelled speaker.
    Turn,
    /// A reporter's question in a transcript ("Q"): kept, with no speaker, and left out of the
    /// tone tables unless `[aggregate] include_questions` is set.
    Question,
}

impl StatementKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            StatementKind::Direct => "direct",
            StatementKind::Partial => "partial",
            StatementKind::Reported => "reported",
            StatementKind::Turn => "turn",
            StatementKind::Question => "question",
        }
    }
    /// Whether the words stood inside quotation marks (what news quote extraction finds).
    pub fn is_quoted(&self) -> bool {
        matches!(self, StatementKind::Direct | StatementKind::Partial)
    }
}

/// A statement found by the extractor, before speakers are resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub kind: StatementKind,
    /// The reported content: the quote for direct statements, the reported clause otherwise.
    pub span: Span,
    /// The quoted words, for direct and partial statements.
    pub quote: Option<Span>,
    /// The reporting cue as written ("told", "responded by saying"); None for a continuation.
    pub cue: Option<Span>,
    /// The speaker as written ("Chinese President Xi Jinping", "he", "US officials").
    pub speaker_mention: Option<Span>,
    /// Descriptor words around the speaker (titles, appositives) used to infer country and role.
    pub descriptor: Option<Span>,
    /// For a pronoun speaker inside a relative clause ("Ruiz condemned what he called “…”"),
    /// the named subject of the main clause the pronoun stands for; the resolver reads it
    /// before guessing from the article's earlier speakers.
    pub antecedent: Option<Span>,
    /// The listener when stated ("told Blinken").
    pub addressee_mention: Option<Span>,
    /// How the speaker was found: the attribution rule that matched ("after-quote",
    /// "continuation", …; written as [`Rule::as_str`]).
    pub attribution: Rule,
    /// What the cue reports: "speech", "claim" or "belief" (from models/speech-verbs.toml).
    pub cue_type: Option<&'static str>,
    /// Oddities worth a look: unbalanced quotation marks and the like.
    pub flags: Vec<Flag>,
    /// Index of the paragraph the statement starts in.
    pub paragraph: usize,
}

/// A speaker resolved against the actor registry and the article's own mentions.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Speaker {
    /// Canonical name; None for unnamed speakers ("aides", "US officials").
    pub name: Option<String>,
    /// How the name was resolved: registry:name, registry:alias, article:surname, pronoun, …
    pub resolution: String,
    pub role: Option<String>,
    pub organisation: Option<String>,
    /// ISO 3166-1 alpha-3.
    pub country: Option<String>,
    /// How the country was resolved: registry, descriptor:demonym, context, …
    pub country_resolution: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ToneLabel {
    Conciliatory,
    Neutral,
    Firm,
}

impl ToneLabel {
    pub fn as_str(&self) -> &'static str {
        match self {
            ToneLabel::Conciliatory => "conciliatory",
            ToneLabel::Neutral => "neutral",
            ToneLabel::Firm => "firm",
        }
    }
}

/// A tone score from any [`crate::tone::ToneScorer`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ToneScore {
    /// −1 (firm) … +1 (conciliatory).
    pub tone: f64,
    pub label: ToneLabel,
    /// 0 … 1: how sure the scorer is of the label.
    pub confidence: f64,
    /// The phrases that drove the score, as found in the text (negated ones marked "not …").
    pub cues: Vec<String>,
    /// −1 (negative) … +1 (positive), a separate axis from tone.
    pub sentiment: f64,
    /// The tone lexicon's own tone of the statement (−1 … +1), whichever scorer gave `tone`:
    /// the reading `cues` explain, kept beside the learned tone (column `tone_lexicon`).
    pub lexicon_tone: f64,
}

/// How a statement's target was found (see [`crate::target`]), most direct first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetResolution {
    /// The statement's own words name another country ("the US", "Washington", "Blinken").
    Words,
    /// "The two sides", "both countries", "bilateral": the other side of the article's pair.
    Pair,
    /// The words name no other country; the listener does ("Xi told Blinken").
    Addressee,
    /// Nothing in the statement: the pair the article (or the visit it reports) is about.
    Context,
    /// The words name only the speaker's own country: a domestic statement.
    Domestic,
    /// No target found.
    #[default]
    None,
}

impl TargetResolution {
    pub fn as_str(&self) -> &'static str {
        match self {
            TargetResolution::Words => "words",
            TargetResolution::Pair => "pair",
            TargetResolution::Addressee => "addressee",
            TargetResolution::Context => "context",
            TargetResolution::Domestic => "domestic",
            TargetResolution::None => "none",
        }
    }
}

/// The countries a statement is about (ISO 3166-1 alpha-3), most salient first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Target {
    pub targets: Vec<String>,
    pub resolution: TargetResolution,
}

impl Target {
    /// The main target: the most salient country, if any.
    pub fn main(&self) -> Option<&str> {
        self.targets.first().map(String::as_str)
    }
}

/// A statement with everything the output tables need.
#[derive(Debug, Clone, Serialize)]
pub struct ScoredStatement {
    pub statement: Statement,
    pub speaker: Speaker,
    pub addressee: Option<String>,
    /// Whom the statement is about.
    pub target: Target,
    pub tone: ToneScore,
    /// The transcript label of the turn the statement belongs to, as written ("PRESIDENT
    /// BIDEN", "Q"); None in news.
    pub turn: Option<Span>,
}

/// What the pipeline produced for one article.
#[derive(Debug, Clone)]
pub struct ProcessedArticle {
    pub article: Article,
    pub statements: Vec<ScoredStatement>,
    pub content_hash: String,
}
