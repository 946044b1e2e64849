//! The batch job: tokio readers → bounded channel → blocking NLP workers → collected results.
//! Reading is async I/O; extraction, attribution and scoring are synchronous CPU work run on
//! tokio's blocking pool, so a slow disk and a busy CPU overlap. Results are sorted at the end,
//! so the output does not depend on scheduling.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::actors::{ArticleResolver, Registry};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::{self, Format, Source};
use crate::known::{self as store, Admitted, Known};
use crate::models::{sha256_hex, ModelFile, ModelSource};
use crate::normalize::Normalizer;
use crate::quotes::{CueLexicon, Extractor, SpeakerRanker};
use crate::target::{resolve::Addressee, TargetLexicon, Targeter};
use crate::tone::{self, LexiconScorer, ScorerKind, ToneInput, ToneScorer, TransformerOptions};
use crate::transcript::{self, Vocabulary};
use crate::types::{Article, DocFormat, ProcessedArticle, Reject, ScoredStatement};

mod shard;
mod transcript_turns;

pub use shard::Shard;

/// Everything the per-article work needs, loaded once and shared by all workers.
pub struct Engine {
    pub normalizer: Normalizer,
    pub extractor: Extractor,
    pub registry: Registry,
    /// Whom each statement is about (after actors, before tone).
    pub targeter: Targeter,
    pub scorer: Box<dyn ToneScorer>,
    /// How transcripts mark speakers (`models/transcripts.toml`).
    pub transcripts: Vocabulary,
    /// The registry transcripts' labels are resolved with when
    /// `models/actors-transcripts.toml` holds actors: the main one plus those officials, kept
    /// apart so that news attribution does not change with them. None: the main registry
    /// serves (see [`Engine::transcript_registry`]).
    transcript_registry: Option<Registry>,
    /// The run's `[input] format` (or `run --format`); an article's own `format` wins.
    pub format: DocFormat,
    /// Knowledge files used, with their hashes, for the manifest.
    pub model_files: Vec<(String, String)>,
}

impl Engine {
    /// The registry transcript labels are resolved with: the main one, plus the officials of
    /// `models/actors-transcripts.toml` when that file holds any.
    pub fn transcript_registry(&self) -> &Registry {
        self.transcript_registry.as_ref().unwrap_or(&self.registry)
    }

    /// Loads and validates every knowledge file (built-in unless the config names a folder).
    pub fn load(config: &Config, scorer: ScorerKind) -> Result<Engine> {
        Engine::load_with(config, scorer, &TransformerOptions::default())
    }

    /// [`Engine::load`] with the learned scorers' settings (model folder, head, device, batch).
    pub fn load_with(
        config: &Config,
        scorer: ScorerKind,
        options: &TransformerOptions,
    ) -> Result<Engine> {
        let source = ModelSource {
            dir: config.models.dir.as_ref().map(|d| config.resolve(d)),
        };
        let normalize = source.load("normalize.toml")?;
        let verbs = source.load("speech-verbs.toml")?;
        let grammar = source.load("grammar.toml")?;
        // The head is read only for the learned scorers, so a lexicon run never depends on it.
        let (lexicon, head) = tone_files(config, scorer.is_learned(), options.head.as_deref())?;
        let mut places = vec![source.load("places.toml")?];
        for p in &config.models.extra_places {
            places.push(ModelFile::read(&config.resolve(p))?);
        }
        let mut actors = Vec::new();
        // A models folder written before a file existed may lack it (only actors.toml is required).
        for name in crate::models::CURATED_ACTOR_FILES
            .iter()
            .chain([&crate::models::IMPORTED_ACTOR_FILE])
        {
            match source.load_optional(name)? {
                Some(f) => actors.push(f),
                None if *name == "actors.toml" => actors.push(source.load(name)?),
                None => {}
            }
        }
        for p in &config.models.extra_actors {
            actors.push(ModelFile::read(&config.resolve(p))?);
        }
        let normalizer = Normalizer::load(&normalize)?;
        let mut extractor = Extractor::new(
            CueLexicon::load(&verbs, &grammar)?,
            normalizer.abbreviations().clone(),
        );
        let ranker = source.load_optional("speaker-ranker.toml")?;
        if let Some(file) = &ranker {
            extractor = extractor.with_ranker(SpeakerRanker::load(file)?);
        }
        let mut registry = Registry::load(&places, &actors)?;
        let names_file = source.load_optional("names.toml")?;
        let names = match &names_file {
            Some(file) => Some(crate::actors::names::Names::load(file)?),
            None => None,
        };
        if let Some(n) = &names {
            registry.set_names(n.clone());
        }
        let vocabulary = source
            .load_optional(transcript::VOCABULARY_FILE)?
            .map_or_else(
                || ModelSource::default().load(transcript::VOCABULARY_FILE),
                Ok,
            )?;
        let transcripts = Vocabulary::load(&vocabulary)?;
        let transcript_actors = source
            .load_optional(transcript::ACTORS_FILE)?
            .map_or_else(|| ModelSource::default().load(transcript::ACTORS_FILE), Ok)?;
        // A second registry only when the transcript actors file holds actors: the main
        // registry carries ~23,800 actors since the Phoenix import, and a copy of it for an
        // empty file doubled the load time and memory of every run.
        #[derive(serde::Deserialize)]
        struct ActorTables {
            #[serde(default)]
            actor: Vec<toml::Table>,
        }
        let holds_actors = !transcript_actors.parse::<ActorTables>()?.actor.is_empty();
        let transcript_registry = if holds_actors {
            let mut r = Registry::load(
                &places,
                &actors
                    .iter()
                    .cloned()
                    .chain([transcript_actors.clone()])
                    .collect::<Vec<_>>(),
            )?;
            if let Some(n) = &names {
                r.set_names(n.clone());
            }
            Some(r)
        } else {
            None
        };
        // A models folder written before targets.toml existed uses the built-in words.
        let targets = match source.load_optional("targets.toml")? {
            Some(f) => f,
            None => ModelSource::default().load("targets.toml")?,
        };
        let targeter = Targeter::new(TargetLexicon::load(&targets)?, config, &registry);
        for v in config.visits() {
            for code in [&v.host, &v.visitor] {
                if !registry.countries.contains_key(code) {
                    return Err(Error::Config {
                        file: config.file.clone(),
                        line: 0,
                        message: format!(
                            "visit {:?}: country {code} is not in the places files",
                            v.name
                        ),
                    });
                }
            }
        }
        let (scorer, scorer_files) = tone::build(
            scorer,
            LexiconScorer::load(&lexicon)?,
            &lexicon,
            head.as_ref(),
            &options.with_config(config),
        )?;
        let model_files = [&normalize, &verbs, &grammar, &lexicon, &targets]
            .into_iter()
            .chain(ranker.iter())
            .chain([&vocabulary, &transcript_actors])
            .chain(names_file.iter())
            .chain(places.iter())
            .chain(actors.iter())
            .map(|f| (f.name.clone(), f.sha256.clone()))
            .chain(scorer_files)
            .collect();
        Ok(Engine {
            normalizer,
            extractor,
            registry,
            targeter,
            scorer,
            transcripts,
            transcript_registry,
            format: config.input.format,
            model_files,
        })
    }

    /// Extracts, attributes and scores the statements of one article.
    pub fn process(&self, article: Article) -> ProcessedArticle {
        let hash = content_hash(&article);
        self.process_hashed(article, hash)
    }

    /// [`Engine::process`] for an article whose content hash the caller already computed.
    pub fn process_hashed(&self, article: Article, content_hash: String) -> ProcessedArticle {
        self.process_chunk(vec![(article, content_hash)])
            .pop()
            .unwrap_or_else(|| unreachable!("one article in, one out"))
    }

    /// [`Engine::process_hashed`] for many articles: the statements of all of them are scored
    /// in one call, so a learned scorer gets batches of many statements (sorted by length,
    /// each distinct text once) rather than an article's handful at a time.
    pub fn process_chunk(&self, articles: Vec<(Article, String)>) -> Vec<ProcessedArticle> {
        let extracted: Vec<_> = articles
            .into_iter()
            .map(|(article, hash)| {
                let (resolved, targets) = self.extract_resolved(&article);
                (article, hash, resolved, targets)
            })
            .collect();
        let inputs: Vec<ToneInput> = extracted
            .iter()
            .flat_map(|(article, _, resolved, _)| {
                // The statement as the table shows it: for a partial quote, the reported
                // clause around the quoted words ("the two countries “have an obligation and
                // responsibility”"), whose subject and object decide the stance the bare
                // fragment leaves open (the seed's one wrong sign with the fine-tuned scorer).
                resolved.iter().map(move |(s, ..)| ToneInput {
                    text: s.span.slice(&article.text),
                    cue: s.cue.map(|c| c.slice(&article.text)),
                })
            })
            .collect();
        let mut tones = self.scorer.score_batch(&inputs).into_iter();
        drop(inputs);
        extracted
            .into_iter()
            .map(|(article, content_hash, resolved, targets)| {
                let statements = resolved
                    .into_iter()
                    .zip(targets)
                    .zip(tones.by_ref())
                    .map(|(((statement, speaker, addressee, turn), target), tone)| {
                        ScoredStatement {
                            statement,
                            speaker,
                            addressee,
                            target,
                            tone,
                            turn,
                        }
                    })
                    .collect();
                ProcessedArticle {
                    content_hash,
                    article,
                    statements,
                }
            })
            .collect()
    }

    /// The statements of one article (a transcript's turns, or the news rules' statements)
    /// with their speakers, addressees, turn labels and targets; not yet scored.
    fn extract_resolved(
        &self,
        article: &Article,
    ) -> (Vec<transcript_turns::Resolved>, Vec<crate::types::Target>) {
        let norm = self.normalizer.normalize(&article.text);
        let resolved: Vec<transcript_turns::Resolved> = if transcript::detect::decide(
            article.format,
            self.format,
            &article.text,
            &norm.paragraphs,
            &self.transcripts,
        ) {
            self.transcript_statements(article, &norm.paragraphs)
        } else {
            let (statements, words) =
                self.extractor
                    .extract(&article.text, &norm, article.title.as_deref());
            let mut resolver = ArticleResolver::new(
                &self.registry,
                &self.extractor.lex.grammar,
                &article.text,
                &words.toks,
                &words.folded,
                article.published,
            );
            statements
                .into_iter()
                .map(|s| {
                    let (speaker, addressee) = resolver.resolve(&s);
                    (s, speaker, addressee, None)
                })
                .collect()
        };
        let in_article = self.targeter.article(
            &self.registry,
            &article.text,
            Some(article.published),
            resolved.iter().map(|(_, speaker, ..)| speaker),
        );
        let targets: Vec<_> = resolved
            .iter()
            .map(|(st, speaker, addressee, _)| {
                let to = Addressee {
                    name: addressee.as_deref(),
                    mention: st.addressee_mention,
                };
                in_article.resolve(&[st.span], speaker.country.as_deref(), to)
            })
            .collect();
        (resolved, targets)
    }
}

/// The tone lexicon and, when `with_head`, the tone head (`head` if given, else
/// `tone-head.json` of the config's models folder or the built-in copy), as the scorers read them.
pub fn tone_files(
    config: &Config,
    with_head: bool,
    head: Option<&Path>,
) -> Result<(ModelFile, Option<ModelFile>)> {
    let source = ModelSource {
        dir: config.models.dir.as_ref().map(|d| config.resolve(d)),
    };
    let lexicon = source.load("tone-lexicon.toml")?;
    let head = match (with_head, head) {
        (false, _) => None,
        (true, Some(p)) => Some(ModelFile::read(p)?),
        (true, None) => Some(source.load(tone::head::HEAD_FILE)?),
    };
    Ok((lexicon, head))
}

/// Identity of one version of an article: its id, metadata and text. Where it was read from
/// is not part of it, so the same article in two feeds is one article; a corrected date or
/// title is a new version that replaces the old one's statements.
pub fn content_hash(a: &Article) -> String {
    let mut bytes = Vec::with_capacity(a.id.len() + a.text.len() + 64);
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    for field in [
        &a.id,
        &a.published.to_string(),
        &opt(&a.title),
        &opt(&a.source),
        &opt(&a.url),
        &opt(&a.language),
        &a.text,
    ] {
        bytes.extend_from_slice(field.as_bytes());
        bytes.push(0);
    }
    // Only when the input sets it, so that the hashes of every article without a `format`
    // (all of them before transcripts) stay what they were.
    if let Some(f) = a.format {
        bytes.extend_from_slice(f.as_str().as_bytes());
        bytes.push(0);
    }
    sha256_hex(&bytes)
}

/// Which articles a run takes: those not already in the state (same id, same content), inside
/// the `--since`/`--until` window, and in this `--shard`.
#[derive(Debug, Default, Clone)]
pub struct Admission {
    /// The versions the state holds; admission adds those of the articles the run takes, and
    /// [`run`] hands it back in [`RunResult::known`].
    pub known: Known,
    /// The run's number: the versions it admits are recorded under it.
    pub run: u32,
    pub since: Option<chrono::NaiveDate>,
    pub until: Option<chrono::NaiveDate>,
    pub shard: Option<Shard>,
}

/// What a run read and skipped; what it processed went to the `consume` callback of [`run`].
#[derive(Default)]
pub struct RunResult {
    /// The admission's versions: the state's, updated with those of the articles processed.
    pub known: Known,
    /// Articles processed: new ids, and known ids with new content.
    pub added: usize,
    pub replaced: usize,
    /// How many times each processed article (by content hash) was seen beyond the first.
    pub duplicates: HashMap<String, usize>,
    /// Further copies of articles skipped as unchanged.
    pub copies_of_unchanged: usize,
    pub rejects: Vec<Reject>,
    pub inputs: Vec<String>,
    pub skipped_other_files: usize,
    /// Name and version of the scorer that produced the tone columns.
    pub scorer: (String, String),
    /// Articles skipped because the state already holds them unchanged.
    pub unchanged: usize,
    /// Articles skipped because they fall outside `--since`/`--until`.
    pub outside_window: usize,
    /// Articles left to other shards.
    pub other_shard: usize,
}

/// Articles one worker task processes at a time: large enough that task overhead vanishes,
/// small enough that every core gets work from a single JSON Lines file.
const WORK_CHUNK: usize = 64;

/// A batch of parsed articles (and rejects) from one input.
struct Parsed {
    articles: Vec<Article>,
    rejects: Vec<Reject>,
}

/// Reads all inputs and processes every admitted article, in chunks on `jobs` workers. Each
/// worker hands its processed chunk to `finish` (so that turning articles into rows runs in
/// parallel too) and `consume` receives the results one by one as workers complete, in no
/// particular order: nothing here holds more than the chunks in flight. `progress` is told
/// about each article done.
#[allow(clippy::too_many_arguments)]
pub async fn run<T: Send + 'static>(
    engine: Arc<Engine>,
    config: Arc<Config>,
    inputs: Vec<PathBuf>,
    jobs: usize,
    admission: Admission,
    progress: Arc<dyn Fn(usize) + Send + Sync>,
    finish: Arc<dyn Fn(Vec<ProcessedArticle>) -> T + Send + Sync>,
    mut consume: impl FnMut(T) -> Result<()>,
) -> Result<RunResult> {
    let discovery = tokio::task::spawn_blocking(move || ingest::discover(&inputs))
        .await
        .map_err(|e| Error::io("<discover>", std::io::Error::other(e)))?;
    let mut result = RunResult {
        rejects: discovery.rejects,
        skipped_other_files: discovery.skipped_other_files,
        // A text article's sidecar is read too: listing it lets the next run replace the
        // rejects of a sidecar that has since been fixed.
        inputs: discovery
            .sources
            .iter()
            .flat_map(|s| match s {
                Source::Stdin => vec!["-".to_string()],
                Source::File(p, Format::Text) => {
                    let meta = ingest::text::meta_path(p);
                    let sidecar = std::fs::symlink_metadata(&meta)
                        .is_ok()
                        .then(|| meta.display().to_string());
                    std::iter::once(p.display().to_string())
                        .chain(sidecar)
                        .collect()
                }
                Source::File(p, _) => vec![p.display().to_string()],
            })
            .collect(),
        scorer: (
            engine.scorer.name().to_string(),
            engine.scorer.version().to_string(),
        ),
        ..RunResult::default()
    };
    // Room for one batch per worker and one being read: enough to keep workers busy, and a
    // bound on memory (a batch is one file, or one block of a JSON Lines file).
    let (tx, mut rx) = mpsc::channel::<Parsed>(jobs.max(1) + 1);
    let reader_config = config.clone();
    let reader = tokio::spawn(async move {
        for source in discovery.sources {
            // A JSON Lines file is read and parsed block by block: its articles reach the
            // workers while the rest is still on disk, and memory holds a few blocks at most.
            if let Source::File(path, Format::Jsonl) = &source {
                if stream_jsonl(path, &reader_config, &tx).await.is_err() {
                    break;
                }
                continue;
            }
            let parsed = read_source(&source, &reader_config).await;
            if tx.send(parsed).await.is_err() {
                break;
            }
        }
    });

    let semaphore = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let (mut known, run) = (admission.known, admission.run);
    let mut tasks = tokio::task::JoinSet::new();
    while let Some(parsed) = rx.recv().await {
        result.rejects.extend(parsed.rejects);
        let mut batch = Vec::new();
        for article in parsed.articles {
            if admission.since.is_some_and(|d| article.published < d)
                || admission.until.is_some_and(|d| article.published > d)
            {
                result.outside_window += 1;
                continue;
            }
            if admission.shard.is_some_and(|s| !s.owns(&article.id)) {
                result.other_shard += 1;
                continue;
            }
            let hash = content_hash(&article);
            match known.admit(store::digest(&article.id), store::content_bits(&hash), run) {
                Admitted::New => result.added += 1,
                Admitted::Replaced => result.replaced += 1,
                Admitted::Unchanged => {
                    result.unchanged += 1;
                    continue;
                }
                // The content hash covers the id: same hash, same article.
                Admitted::CopyOfProcessed => {
                    *result.duplicates.entry(hash).or_default() += 1;
                    continue;
                }
                Admitted::CopyOfUnchanged => {
                    result.copies_of_unchanged += 1;
                    continue;
                }
                Admitted::Conflict => {
                    result.rejects.push(Reject {
                        input: article.origin.input.clone(),
                        line: article.origin.line,
                        article_id: Some(article.id.clone()),
                        reason: "duplicate id with different text: the first article with this id was kept; give each version its own id".into(),
                    });
                    continue;
                }
            }
            batch.push((article, hash));
        }
        // A JSON Lines file is one batch of many articles: split it so every worker gets work.
        let mut batch = batch.into_iter().peekable();
        while batch.peek().is_some() {
            let chunk: Vec<(Article, String)> = batch.by_ref().take(WORK_CHUNK).collect();
            let permit = semaphore
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| Error::io("<workers>", std::io::Error::other(e)))?;
            let engine = engine.clone();
            let progress = progress.clone();
            let finish = finish.clone();
            tasks.spawn_blocking(move || {
                let _permit = permit;
                let n = chunk.len();
                let out: Vec<ProcessedArticle> = engine.process_chunk(chunk);
                let out = finish(out);
                progress(n);
                out
            });
            while let Some(done) = tasks.try_join_next() {
                consume(done.map_err(|e| Error::io("<worker>", std::io::Error::other(e)))?)?;
            }
        }
    }
    while let Some(done) = tasks.join_next().await {
        consume(done.map_err(|e| Error::io("<worker>", std::io::Error::other(e)))?)?;
    }
    reader
        .await
        .map_err(|e| Error::io("<reader>", std::io::Error::other(e)))?;
    known.end_admission();
    result.known = known;
    if let Some(shard) = admission.shard {
        result.rejects.retain(|r| shard.owns_reject(r));
    }
    Ok(result)
}

/// Bytes of a JSON Lines file read at a time (cut at the last line end).
const JSONL_BLOCK: usize = 2 << 20;

/// Reads a JSON Lines file in blocks of whole lines and sends each block's articles and
/// rejects. Errs only when the receiver is gone.
async fn stream_jsonl(
    path: &Path,
    config: &Config,
    tx: &mpsc::Sender<Parsed>,
) -> std::result::Result<(), ()> {
    use tokio::io::AsyncReadExt;
    let limit = config.input.max_article_bytes.get();
    let fields = &config.input.jsonl;
    let send_reject = |reason: String| Parsed {
        articles: vec![],
        rejects: vec![ingest::reject(path, None, None, reason)],
    };
    let cannot = |e: std::io::Error| format!("cannot read file: {}", ingest::io_reason(path, &e));
    // Checked before opening: opening a named pipe would wait for a writer forever.
    let file = match tokio::fs::metadata(path).await {
        Err(e) => Err(cannot(e)),
        Ok(m) if m.is_dir() => Err(format!(
            "cannot read file: {} is a folder, not a file",
            path.display()
        )),
        Ok(m) if !m.is_file() => Err(format!(
            "cannot read file: {} is not a regular file (a named pipe, socket or device)",
            path.display()
        )),
        Ok(_) => tokio::fs::File::open(path).await.map_err(cannot),
    };
    let mut file = match file {
        Ok(f) => f,
        Err(reason) => return tx.send(send_reject(reason)).await.map_err(|_| ()),
    };
    let (mut pending, mut line, mut offset, mut records, mut total, mut first) =
        (Vec::<u8>::new(), 1u64, 0usize, 0usize, 0usize, true);
    let mut block = vec![0u8; JSONL_BLOCK];
    loop {
        let n = match file.read(&mut block).await {
            Ok(n) => n,
            Err(e) => return tx.send(send_reject(cannot(e))).await.map_err(|_| ()),
        };
        total += n;
        pending.extend_from_slice(&block[..n]);
        let end = if n == 0 {
            pending.len()
        } else {
            pending
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
        };
        // Keep reading while no line is complete (one very long line), unless at the end.
        if end == 0 && n > 0 {
            continue;
        }
        let rest = pending.split_off(end);
        let whole = std::mem::replace(&mut pending, rest);
        let bom = if first && whole.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        first = false;
        let (articles, rejects, found) =
            ingest::jsonl::parse_lines(path, &whole[bom..], line, offset + bom, fields, limit);
        records += found;
        line += whole.iter().filter(|&&b| b == b'\n').count() as u64;
        offset += whole.len();
        if !(articles.is_empty() && rejects.is_empty())
            && tx.send(Parsed { articles, rejects }).await.is_err()
        {
            return Err(());
        }
        if n == 0 {
            break;
        }
    }
    if records == 0 {
        let reject = ingest::jsonl::no_records(path, total == 0);
        return tx
            .send(Parsed {
                articles: vec![],
                rejects: vec![reject],
            })
            .await
            .map_err(|_| ());
    }
    Ok(())
}

async fn read_source(source: &Source, config: &Config) -> Parsed {
    let limit = config.input.max_article_bytes.get();
    let failed = |path: &Path, reason: String| Parsed {
        articles: vec![],
        rejects: vec![ingest::reject(path, None, None, reason)],
    };
    match source {
        Source::Stdin => {
            use tokio::io::AsyncReadExt;
            let mut bytes = Vec::new();
            if let Err(e) = tokio::io::stdin().read_to_end(&mut bytes).await {
                return failed(Path::new("-"), format!("cannot read stdin: {e}"));
            }
            let (articles, rejects) =
                ingest::jsonl::parse_limited(Path::new("-"), &bytes, &config.input.jsonl, limit);
            Parsed { articles, rejects }
        }
        Source::File(path, format) => {
            // A JSON Lines file holds many articles: the limit is per line, not per file.
            let file_limit = if *format == Format::Jsonl {
                None
            } else {
                Some(limit)
            };
            let bytes = match read_limited(path, file_limit).await {
                Ok(b) => b,
                Err(reason) => return failed(path, reason),
            };
            if bytes.is_empty() {
                return failed(path, ingest::empty_file());
            }
            let one = |r: std::result::Result<Article, Reject>| match r {
                Ok(a) => Parsed {
                    articles: vec![a],
                    rejects: vec![],
                },
                Err(r) => Parsed {
                    articles: vec![],
                    rejects: vec![r],
                },
            };
            match format {
                Format::Jsonl => {
                    let (articles, rejects) =
                        ingest::jsonl::parse_limited(path, &bytes, &config.input.jsonl, limit);
                    Parsed { articles, rejects }
                }
                Format::Html => one(ingest::html::parse_limited(
                    path,
                    bytes,
                    config.input.max_html_depth.get(),
                )),
                Format::Text => {
                    let meta_file = ingest::text::meta_path(path);
                    let meta = match read_limited(&meta_file, Some(limit)).await {
                        Ok(m) => Some(m),
                        // No sidecar: text::parse says what to write.
                        Err(_) if tokio::fs::symlink_metadata(&meta_file).await.is_err() => None,
                        Err(reason) => return failed(&meta_file, reason),
                    };
                    one(ingest::text::parse(path, bytes, meta))
                }
            }
        }
    }
}

/// Reads a file whole, refusing one over `limit` bytes before reading it (and, for files that
/// grow or lie about their size, after `limit` + 1 bytes). The error is a reject reason.
async fn read_limited(path: &Path, limit: Option<u64>) -> std::result::Result<Vec<u8>, String> {
    use tokio::io::AsyncReadExt;
    let cannot = |e: std::io::Error| format!("cannot read file: {}", ingest::io_reason(path, &e));
    // Checked before opening: opening a named pipe would wait for a writer forever.
    let meta = tokio::fs::metadata(path).await.map_err(cannot)?;
    if meta.is_dir() {
        return Err(format!(
            "cannot read file: {} is a folder, not a file",
            path.display()
        ));
    }
    if !meta.is_file() {
        return Err(format!(
            "cannot read file: {} is not a regular file (a named pipe, socket or device)",
            path.display()
        ));
    }
    let file = tokio::fs::File::open(path).await.map_err(cannot)?;
    let Some(limit) = limit else {
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        let mut file = file;
        file.read_to_end(&mut bytes).await.map_err(cannot)?;
        return Ok(bytes);
    };
    if meta.len() > limit {
        return Err(ingest::too_big("the article", meta.len(), limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(ingest::too_big("the article", bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Reads one article file for `extract` and `eval` (no dedup, no concurrency).
pub fn read_articles_blocking(path: &Path, config: &Config) -> (Vec<Article>, Vec<Reject>) {
    let file_rejected = |reason: String| (vec![], vec![ingest::reject(path, None, None, reason)]);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return file_rejected(format!("cannot start runtime: {e}")),
    };
    let source = if path.as_os_str() == "-" {
        Source::Stdin
    } else {
        match Format::of(path) {
            Some(f) => Source::File(path.to_path_buf(), f),
            None => return file_rejected("unknown file type: use .txt, .jsonl or .html".into()),
        }
    };
    let parsed = rt.block_on(read_source(&source, config));
    (parsed.articles, parsed.rejects)
}
