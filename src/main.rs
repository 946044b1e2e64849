//! The `tonetrack` binary: command line, logging, progress and exit codes. All work happens in
//! the library; this file only wires it to the terminal.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
#[cfg(feature = "tables")]
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;
use tracing::{info, warn};

use tonetrack::config::Config;
use tonetrack::eval::{self, Predicted, Subset};
#[cfg(feature = "tables")]
use tonetrack::job::{self, RunOptions};
use tonetrack::pipeline::{self, Engine, Shard};
#[cfg(feature = "tables")]
use tonetrack::store::Storage;
use tonetrack::tone::{DeviceKind, ScorerKind, ToneInput, TransformerOptions};
use tonetrack::types::char_offset;

/// The marks that make a gold statement "quoted" (see ../shared/datasets/README.md).
const QUOTE_MARKS: [char; 6] = ['"', '“', '”', '„', '«', '»'];

/// Exit codes (also in the README).
const EXIT_ERROR: u8 = 1;
const EXIT_BELOW_THRESHOLD: u8 = 3;
// Only `run --strict` exits with it, and `run` needs the tables.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
const EXIT_REJECTS_STRICT: u8 = 4;

#[derive(Parser)]
#[command(
    name = "tonetrack",
    version,
    about = "Track the diplomatic tone of what officials say in the news.",
    long_about = "tonetrack reads news articles (text with .meta.json sidecars, JSON Lines, HTML), extracts \
statements (direct, partial and reported speech), attributes them to speakers and countries, scores their tone \
from firm (-1) to conciliatory (+1), and writes Parquet tables for analysts.",
    after_help = "Examples:\n  tonetrack run notebooks-data --config notebooks-data/tonetrack.toml --out out\n  \
tonetrack extract article.txt --json\n  echo 'We made real progress.' | tonetrack score\n  \
tonetrack eval statements --gold gold.jsonl --articles articles.jsonl --subset quoted\n  \
tonetrack eval tone --cv 5        # lexicon vs transformer vs ensemble (feature `transformer`)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Only warnings and errors on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the batch job: read articles, write statements and tone tables to --out.
    #[command(
        after_help = "Example:\n  tonetrack run notebooks-data --config notebooks-data/tonetrack.toml --out out\n  \
cat feed.jsonl | tonetrack run - --out out"
    )]
    Run(RunArgs),
    /// Combine the output folders of `run --shard I/N` copies into one state and one set of tables.
    #[command(
        after_help = "Example (a job array of two):\n  tonetrack run feed --shard 0/2 --out shard0\n  \
tonetrack run feed --shard 1/2 --out shard1\n  tonetrack merge shard0 shard1 --out out"
    )]
    Merge(MergeArgs),
    /// Draw the charts (PNG and SVG) from the tables of a run's output folder.
    #[command(
        after_help = "Example:\n  tonetrack plot --out out            # writes out/charts/*.png and *.svg\n  \
tonetrack plot --out out --charts /tmp/charts"
    )]
    Plot(PlotArgs),
    /// Print tone per country and per visit from a run's output folder, as terminal tables.
    #[command(after_help = "Example:\n  tonetrack summary out")]
    Summary(SummaryArgs),
    /// Print the statements of one article (for debugging extraction).
    #[command(
        after_help = "Example:\n  tonetrack extract ../shared/seed/blinken-beijing.txt --json | jq ."
    )]
    Extract(ExtractArgs),
    /// Score lines of text (or JSONL objects with a "text" field) from stdin; JSONL out.
    #[command(
        after_help = "Example:\n  echo 'China has no room for compromises.' | tonetrack score"
    )]
    Score(ScoreArgs),
    /// Measure extraction against a gold file.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Benchmark: articles/s, statements/s, MB/s and peak RSS, in memory on a file of articles or
    /// end to end (`run` into a scratch folder) on a synthetic corpus.
    #[command(
        after_help = "Examples:\n  tonetrack bench --articles ../shared/datasets/polnear/train.articles.jsonl --repeat 5\n  \
tonetrack bench --synthetic 100000 --jobs 2      # generate, then `run` end to end\n  \
tonetrack bench --synthetic 1000000 --work /var/tmp/tt-bench --keep\n  \
tonetrack bench transformer       # the transformer scorer on 2,000 statements (feature `transformer`)"
    )]
    Bench(BenchArgs),
    /// Write a deterministic synthetic news corpus (JSON Lines, ~4 KB articles) for benchmarks.
    #[command(
        after_help = "Example:\n  tonetrack synth --articles 10000 --out corpus.jsonl\n  tonetrack synth --articles 5 --out - | head -c 2000"
    )]
    Synth(SynthArgs),
    /// Train the tone head of the transformer and ensemble scorers; writes models/tone-head.json and its model card.
    #[command(
        after_help = "Example (feature `transformer`):\n  source models/transformer/env.sh\n  \
tonetrack train --cv 5            # writes models/tone-head.json and models/tone-head.md"
    )]
    Train(TrainArgs),
}

#[derive(Args)]
struct SynthArgs {
    /// How many articles.
    #[arg(long, default_value_t = 10_000)]
    articles: u64,
    /// Seed: the same seed and size always give the same bytes.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Mean article length in bytes.
    #[arg(long, default_value_t = 4000)]
    mean_bytes: usize,
    /// Output file, or `-` for stdout.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    common: Common,
}

// Without `tables`, `--synthetic` is refused before the end-to-end fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct BenchArgs {
    #[command(subcommand)]
    what: Option<BenchCommand>,
    /// Articles to process in memory (.jsonl, .txt or .html); read once, processed --repeat times
    /// on one thread (extraction, attribution, scoring; no tables).
    #[arg(
        long,
        required_unless_present = "synthetic",
        conflicts_with = "synthetic"
    )]
    articles: Option<PathBuf>,
    /// How many passes over the articles; the fastest pass is reported too.
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// Generate this many synthetic articles (see `tonetrack synth`) and time a real `run` on
    /// them end to end: reading, extraction, scoring, state, tables.
    #[arg(long)]
    synthetic: Option<u64>,
    /// Seed of the synthetic corpus.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Worker threads of the end-to-end run (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Scratch folder for the corpus and the run's output (default: a temporary folder).
    #[arg(long)]
    work: Option<PathBuf>,
    /// Keep the scratch folder (corpus and output) afterwards.
    #[arg(long)]
    keep: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Statements/s and peak RSS of the transformer scorer on a fixed set of statements.
    #[command(after_help = "Example:\n  tonetrack bench transformer --repeat 3\n  \
tonetrack bench transformer --engine rust-bert --replicas 1   # rust-bert's own pipeline, for comparison\n  \
scripts/bench-transformer.sh      # this and the Python peer (sentence-transformers), with the ratio")]
    Transformer(BenchTransformerArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BenchEngine {
    /// The transformer scorer: our forward pass on tch, tokenizers, worker replicas.
    Scorer,
    /// rust-bert's SentenceEmbeddingsModel on one thread (embeddings only).
    RustBert,
}

#[derive(Args)]
struct BenchTransformerArgs {
    /// JSONL with a "text" field; the first --count distinct texts of --min-words..=--max-words words are scored.
    #[arg(long, default_value = "../shared/datasets/polnear/train.gold.jsonl")]
    sentences: PathBuf,
    #[arg(long, default_value_t = 2000)]
    count: usize,
    #[arg(long, default_value_t = 10)]
    min_words: usize,
    #[arg(long, default_value_t = 40)]
    max_words: usize,
    /// Timed passes after a warm-up batch; throughput is from the median pass.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    #[arg(long, value_enum, default_value_t = BenchEngine::Scorer)]
    engine: BenchEngine,
    /// Keep the input order instead of sorting by length before batching.
    #[arg(long)]
    no_sort: bool,
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    transformer: TransformerArgs,
}

#[derive(Args)]
struct Common {
    /// Run configuration (knowledge files, JSONL field names, visits).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Tone scorer: ensemble (learned; needs scripts/setup-transformer.sh), transformer, or lexicon (needs no libtorch).
    #[arg(long, value_enum, default_value_t = ScorerKind::DEFAULT)]
    scorer: ScorerKind,
    #[command(flatten)]
    transformer: TransformerArgs,
}

/// Settings of the learned scorers; the lexicon ignores them.
#[derive(Args, Clone)]
#[command(next_help_heading = "Transformer and ensemble scorers")]
struct TransformerArgs {
    /// The all-MiniLM-L6-v2 folder [default: $TONETRACK_TRANSFORMER_MODEL, else models/transformer/all-MiniLM-L6-v2]
    #[arg(long, value_name = "DIR")]
    model_dir: Option<PathBuf>,
    /// Tone head file [default: tone-head.json of the models folder, else the built-in copy]
    #[arg(long, value_name = "FILE")]
    head: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = DeviceKind::Cpu)]
    device: DeviceKind,
    /// Statements per forward pass.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Encoder threads sharing the weights [default: one per core on cpu, one on cuda]
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    replicas: usize,
    /// libtorch threads per encoder thread [default: cores / replicas]
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    threads_per_replica: usize,
}

impl TransformerArgs {
    fn options(&self) -> TransformerOptions {
        TransformerOptions {
            model_dir: self.model_dir.clone(),
            head: self.head.clone(),
            device: self.device,
            batch_size: self.batch_size,
            replicas: self.replicas,
            threads_per_replica: self.threads_per_replica,
            config_model_dir: None,
        }
    }
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct TrainArgs {
    #[command(subcommand)]
    what: Option<TrainWhat>,
    /// CAMEO sentences (JSONL: text, cameo_class); verbal_cooperation/statement/verbal_conflict are used.
    #[arg(long, default_value = "../shared/datasets/cameo-sentences/train.jsonl")]
    cameo: PathBuf,
    /// Our labelled diplomatic statements (JSONL: text, label).
    #[arg(
        long,
        default_value = "models/tone-training/diplomatic-statements.jsonl"
    )]
    diplomatic: PathBuf,
    /// Where to write the head.
    #[arg(long, default_value = "models/tone-head.json")]
    out: PathBuf,
    /// Where to write the model card.
    #[arg(long, default_value = "models/tone-head.md")]
    card: PathBuf,
    /// Version written into the head (and so into `scorer_version`).
    #[arg(long, default_value = "1.1.0")]
    version: String,
    /// Folds of the cross-validation reported in the card (0: none).
    #[arg(long, default_value_t = 5)]
    cv: usize,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    transformer: TransformerArgs,
}

#[derive(Subcommand)]
enum TrainWhat {
    /// Train the speaker re-ranker on annotated quotes (PolNeAR); writes models/speaker-ranker.toml.
    #[command(
        after_help = "Example:\n  tonetrack train speakers --gold ../shared/datasets/polnear/train.gold.jsonl \\\n    --articles ../shared/datasets/polnear/train.articles.jsonl"
    )]
    Speakers(TrainSpeakersArgs),
    /// Fine-tune the encoder's top layers and the tone heads on the labelled sets (CAMEO and PLOVER-PLV mapped, models/tone-training/*.jsonl); writes models/tone-encoder.safetensors, models/tone-head.json and the card models/tone-head.md.
    #[command(
        after_help = "Example:\n  scripts/setup-transformer.sh && cargo run --release -- train tone          # 5-fold CV, then the shipped model\n  tonetrack train tone --cv 0 --epochs 2                                         # no CV"
    )]
    Tone(TrainToneArgs),
}

/// How `train tone` and `eval tone --cv` fine-tune.
#[derive(Args, Clone)]
#[cfg_attr(not(feature = "transformer"), allow(dead_code))]
struct FinetuneArgs {
    /// Top layers of the encoder fine-tuned (the rest stay frozen).
    #[arg(long = "layers", default_value_t = 2)]
    tune_layers: usize,
    #[arg(long, default_value_t = 4)]
    epochs: usize,
    /// Examples per training step.
    #[arg(long, default_value_t = 16)]
    train_batch: usize,
    /// AdamW's initial learning rate (falls linearly to 0).
    #[arg(long, default_value_t = 1e-4)]
    lr: f64,
    /// libtorch threads; fixed so that a rerun gives the same weights.
    #[arg(long, default_value_t = 2)]
    threads: i32,
    /// ../shared/datasets (cameo-sentences/, plover-plv/).
    #[arg(long, default_value = "../shared/datasets")]
    shared: PathBuf,
    /// Our labelled statements: every *.jsonl file of this folder.
    #[arg(long, default_value = "models/tone-training")]
    ours: PathBuf,
}

#[cfg(feature = "transformer")]
impl FinetuneArgs {
    fn options(&self, seed: u64) -> tonetrack::tone::transformer::finetune::FinetuneOptions {
        tonetrack::tone::transformer::finetune::FinetuneOptions {
            layers: self.tune_layers,
            epochs: self.epochs,
            batch_size: self.train_batch,
            lr: self.lr,
            seed,
            ..Default::default()
        }
    }
}

#[derive(Args)]
#[cfg_attr(not(feature = "transformer"), allow(dead_code))]
struct TrainToneArgs {
    #[command(flatten)]
    tune: FinetuneArgs,
    /// Where to write the head (the tuned layers go beside it).
    #[arg(long, default_value = "models/tone-head.json")]
    out: PathBuf,
    #[arg(long, default_value = "models/tone-encoder.safetensors")]
    layers_out: PathBuf,
    #[arg(long, default_value = "models/tone-head.md")]
    card: PathBuf,
    /// Version written into the head (and so into `scorer_version`).
    #[arg(long, default_value = "2.0.0")]
    version: String,
    /// Folds of the cross-validation reported in the card (0: none).
    #[arg(long, default_value_t = 5)]
    cv: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    transformer: TransformerArgs,
}

#[derive(Args)]
struct TrainSpeakersArgs {
    /// Gold statements with speakers (JSONL, as for `eval statements`).
    #[arg(long, default_value = "../shared/datasets/polnear/train.gold.jsonl")]
    gold: PathBuf,
    /// The articles the gold file refers to.
    #[arg(
        long,
        default_value = "../shared/datasets/polnear/train.articles.jsonl"
    )]
    articles: PathBuf,
    /// Where to write the weights.
    #[arg(long, default_value = "models/speaker-ranker.toml")]
    out: PathBuf,
    /// Folds of the cross-validation by article that picks epochs and margin.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Training passes to try (repeat the flag).
    #[arg(long, default_values_t = vec![5usize, 10, 20])]
    epochs: Vec<usize>,
    /// Margins to try: how much better another candidate must score than the rules' choice.
    #[arg(long, default_values_t = vec![0.0f64, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0])]
    margin: Vec<f64>,
    /// Attributions to leave to the rules, comma-separated; repeat the flag to compare sets
    /// (an empty value: none). The default trusts the readings where the subject of the
    /// reporting verb is the speaker by this project's convention ("X said …, according to
    /// Y" is X's, where PolNeAR names Y); the seed acceptance test depends on it.
    #[arg(long, default_values_t = vec!["after-quote,after-quote:inverted,before-quote,before-quote:coordinated".to_string()])]
    trusted: Vec<String>,
    /// Seed of the fold assignment and of the training order.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
#[cfg_attr(not(feature = "transformer"), allow(dead_code))]
struct EvalToneArgs {
    /// Labelled statements to score (JSONL: text and label conciliatory|neutral|firm, or cameo_class).
    #[arg(long, required_unless_present_any = ["cv", "heldout"])]
    gold: Option<PathBuf>,
    /// Score the fixed held-out tenth of each set (never trained on, see `train tone`) with the shipped scorers: seconds, where --cv retrains.
    #[arg(long, conflicts_with = "cv")]
    heldout: bool,
    /// With --heldout: exit 3 when the named scorer's macro-F1 on a set is below V (SCORER:SET=V, sets cameo, plover, diplomatic), e.g. ensemble:cameo=0.8.
    #[arg(long = "min-f1", value_name = "SCORER:SET=V", requires = "heldout")]
    min_f1: Vec<String>,
    /// Instead of a gold file: K-fold cross-validation of the fine-tuned scorer over the CAMEO and PLOVER-PLV sets and ours (fine-tuned layers and heads retrained per fold; minutes per fold).
    #[arg(long, value_name = "K")]
    cv: Option<usize>,
    /// With --cv: the older, cheaper comparison of heads on the frozen encoder, over --cameo and --diplomatic.
    #[arg(long, requires = "cv")]
    frozen: bool,
    #[command(flatten)]
    tune: FinetuneArgs,
    /// Scorers to compare (repeat the flag) [default: lexicon, transformer and ensemble when built, else lexicon]
    #[arg(long, value_enum)]
    scorer: Vec<ScorerKind>,
    #[arg(long, default_value = "../shared/datasets/cameo-sentences/train.jsonl")]
    cameo: PathBuf,
    #[arg(
        long,
        default_value = "models/tone-training/diplomatic-statements.jsonl"
    )]
    diplomatic: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// JSON instead of tables.
    #[arg(long)]
    json: bool,
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    transformer: TransformerArgs,
}

// Without `tables` the command is parsed (so its help stays) but refused before its fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
struct RunArgs {
    /// Files or folders (searched recursively) of .txt, .jsonl, .html articles; `-` reads JSONL from stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output folder (created if missing), or s3://bucket/prefix (credentials and endpoint from
    /// the AWS_* environment variables). Holds the tables and the state of earlier runs.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Worker threads for extraction and scoring (default: number of CPUs).
    #[arg(long)]
    jobs: Option<usize>,
    /// Exit with code 4 when any input was rejected.
    #[arg(long)]
    strict: bool,
    /// Only articles published on or after this date (YYYY-MM-DD), e.g. to bound a backfill.
    #[arg(long, value_name = "DATE")]
    since: Option<chrono::NaiveDate>,
    /// Only articles published on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    until: Option<chrono::NaiveDate>,
    /// Take only this shard of the articles (by a hash of their id), e.g. 0/4 … 3/4 for a job
    /// array of four; combine the shards' folders with `tonetrack merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Forget what earlier runs stored in --out and process the inputs from scratch (needed after
    /// a change of knowledge files, scorer or version; give every input, not only new ones).
    #[arg(long)]
    rebuild: bool,
}

// Without `tables` the command is parsed (so its help stays) but refused before its fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
struct PlotArgs {
    /// The output folder of `tonetrack run` (or s3://bucket/prefix) whose tables to draw.
    #[arg(long)]
    out: PathBuf,
    /// Where to write the charts; default OUT/charts (required when --out is on S3).
    #[arg(long)]
    charts: Option<PathBuf>,
    /// TrueType font for titles and labels; default: DejaVu Sans or Liberation Sans from the system.
    #[arg(long)]
    font: Option<PathBuf>,
}

// Without `tables` the command is parsed (so its help stays) but refused before its fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
struct SummaryArgs {
    /// The output folder of `tonetrack run` (or s3://bucket/prefix).
    out: PathBuf,
}

// Without `tables` the command is parsed (so its help stays) but refused before its fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
struct MergeArgs {
    /// Output folders of the shard runs (`tonetrack run --shard I/N --out FOLDER`).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Folder for the merged state and tables; its previous state is replaced by the union.
    #[arg(long)]
    out: PathBuf,
    /// The run configuration the shards used (visits, knowledge files).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct ExtractArgs {
    /// One article: .txt (with .meta.json), .html, or .jsonl (every line).
    file: PathBuf,
    /// One JSON object per statement instead of a readable list.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct ScoreArgs {
    #[command(flatten)]
    common: Common,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Precision, recall, F1, speaker, country and tone accuracy of extracted statements.
    #[command(
        after_help = "Example:\n  tonetrack eval statements --gold ../shared/eval/seed-gold.jsonl \\\n    \
--articles ../shared/seed/blinken-beijing.txt --min recall=1 --max spurious=2"
    )]
    Statements(EvalArgs),
    /// Accuracy, macro-F1 and confusion matrices of the tone scorers on labelled statements, or by cross-validation.
    #[command(
        after_help = "Examples:\n  tonetrack eval tone --gold models/tone-training/diplomatic-statements.jsonl --scorer lexicon\n  \
tonetrack eval tone --gold FILE   # lexicon, transformer and ensemble side by side (feature `transformer`)\n  \
tonetrack eval tone --cv 5        # 5-fold CV over the mapped CAMEO set and the diplomatic set"
    )]
    Tone(EvalToneArgs),
}

#[derive(Args)]
struct EvalArgs {
    /// Gold statements, JSONL (article, kind, text, span, speaker[, country, tone]).
    #[arg(long)]
    gold: PathBuf,
    /// The articles the gold file refers to (.txt with .meta.json, or .jsonl).
    #[arg(long)]
    articles: PathBuf,
    /// Which statements to score.
    #[arg(long, value_enum, default_value_t = Subset::All)]
    subset: Subset,
    /// Quoted terms that must not be extracted as statements (JSONL with article and span).
    #[arg(long)]
    not_statements: Option<PathBuf>,
    /// Write every missed, spurious or wrongly attributed statement here (JSONL).
    #[arg(long)]
    mismatches: Option<PathBuf>,
    /// Fail (exit 3) when METRIC is below VALUE, e.g. --min f1=0.9.
    #[arg(long, value_name = "METRIC=VALUE")]
    min: Vec<String>,
    /// Fail (exit 3) when METRIC is above VALUE, e.g. --max spurious=2.
    #[arg(long, value_name = "METRIC=VALUE")]
    max: Vec<String>,
    #[command(flatten)]
    common: Common,
}

/// jemalloc rather than glibc's malloc. Publishing a million articles sorts 13 million statement
/// rows in buckets whose columns are allocated and freed over and over: glibc kept the freed,
/// fragmented heap (peak RSS 262 MiB against a live heap of 134 MB under heaptrack), and neither
/// `malloc_trim` after every bucket nor a fixed mmap threshold brought it below 239.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts (`_RJEM_MALLOC_CONF` in the environment overrides
/// them). Freed pages go back to the system 200 ms after they were freed (jemalloc's default is
/// ten seconds), by a background thread, so no worker waits on it; two arenas serve the two
/// workers, as more would each keep pages of their own. While the tables are published, freed
/// pages go back at once: see [`return_freed_pages_at_once`].
#[cfg(not(target_env = "msvc"))]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8; 69] =
    b"narenas:2,background_thread:true,dirty_decay_ms:200,muzzy_decay_ms:0\0";

/// The binary's publishing hook (`tonetrack::job::on_publishing`): while the tables are
/// published, freed pages go back to the system at once (decay 0), so resident memory follows
/// the live heap through the external sort (a million articles: peak 225 MiB, against 255 with
/// the 200 ms of the other phases); after, the decay of `malloc_conf` returns. Setting an
/// arena's decay to 0 also purges what it holds. A failure only costs memory, so it is logged.
#[cfg(all(not(target_env = "msvc"), feature = "tables"))]
fn return_freed_pages_at_once(at_once: bool) {
    use tikv_jemalloc_ctl::raw;
    const DECAY: &[u8] = b"arenas.dirty_decay_ms\0";
    let ms: isize = if at_once {
        0
    } else {
        // The configured default (or `_RJEM_MALLOC_CONF`'s), which new arenas get.
        match unsafe { raw::read::<isize>(DECAY) } {
            Ok(ms) => ms,
            Err(e) => {
                tracing::debug!("jemalloc: cannot read arenas.dirty_decay_ms: {e}");
                return;
            }
        }
    };
    let arenas = match unsafe { raw::read::<u32>(b"arenas.narenas\0") } {
        Ok(n) => n,
        Err(e) => {
            tracing::debug!("jemalloc: cannot read arenas.narenas: {e}");
            return;
        }
    };
    for arena in 0..arenas {
        let name = format!("arena.{arena}.dirty_decay_ms\0");
        if let Err(e) = unsafe { raw::write(name.as_bytes(), ms) } {
            tracing::debug!("jemalloc: cannot set arena {arena}'s decay to {ms} ms: {e}");
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.quiet, cli.log_format);
    #[cfg(all(not(target_env = "msvc"), feature = "tables"))]
    tonetrack::job::on_publishing(return_freed_pages_at_once);
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS, // `tonetrack extract … | head`
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(quiet: bool, format: LogFormat) {
    let default = if quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TONETRACK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(ansi);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        #[cfg(feature = "tables")]
        Command::Run(args) => run(args, cli.quiet),
        #[cfg(feature = "tables")]
        Command::Merge(args) => merge(args),
        #[cfg(feature = "tables")]
        Command::Plot(args) => plot(args),
        #[cfg(feature = "tables")]
        Command::Summary(args) => summary(args),
        #[cfg(not(feature = "tables"))]
        Command::Run(_) => Err(without_tables("run")),
        #[cfg(not(feature = "tables"))]
        Command::Merge(_) => Err(without_tables("merge")),
        #[cfg(not(feature = "tables"))]
        Command::Plot(_) => Err(without_tables("plot")),
        #[cfg(not(feature = "tables"))]
        Command::Summary(_) => Err(without_tables("summary")),
        Command::Extract(args) => extract(args),
        Command::Score(args) => score(args),
        Command::Eval(EvalCommand::Statements(args)) => eval_statements(args),
        Command::Eval(EvalCommand::Tone(args)) => learned::eval_tone(args),
        Command::Bench(BenchArgs {
            what: Some(BenchCommand::Transformer(args)),
            ..
        }) => learned::bench_transformer(args),
        Command::Bench(args) => match args.synthetic {
            #[cfg(feature = "tables")]
            Some(n) => bench_end_to_end(args, n),
            #[cfg(not(feature = "tables"))]
            Some(_) => Err(without_tables("bench --synthetic")),
            None => bench(args),
        },
        Command::Synth(args) => synth(args),
        Command::Train(args) => match args.what {
            Some(TrainWhat::Speakers(a)) => train_speakers(a),
            Some(TrainWhat::Tone(a)) => learned::train_tone(a),
            None => learned::train_head(args),
        },
    }
}

/// The error of a table command in a build without the `tables` feature (polars), such as the
/// one CI tests the transformer scorer with: the command exists, so say what it needs.
#[cfg(not(feature = "tables"))]
fn without_tables(command: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "`tonetrack {command}` reads or writes tables, which this build leaves out (built without the `tables` feature); \
         rebuild with the default features: `cargo build --release` (after scripts/setup-transformer.sh)"
    )
}

/// Peak resident memory of this process in MiB (Linux), for benchmark reports.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn synth(args: SynthArgs) -> Result<u8> {
    let (_, engine) = load(&args.common)?;
    let cast = tonetrack::synth::Cast::from_registry(&engine.registry);
    let opts = tonetrack::synth::SynthOptions {
        articles: args.articles,
        seed: args.seed,
        mean_bytes: args.mean_bytes,
    };
    let stats = if args.out.as_os_str() == "-" {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let stats = tonetrack::synth::write_corpus(&mut out, &cast, &opts)?;
        out.flush()?;
        stats
    } else {
        let file = std::fs::File::create(&args.out)
            .with_context(|| format!("creating {}", args.out.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let stats = tonetrack::synth::write_corpus(&mut out, &cast, &opts)
            .with_context(|| format!("writing {}", args.out.display()))?;
        out.flush()?;
        stats
    };
    info!(
        "{} articles, {:.1} MB of text, {} quotation constructions",
        stats.articles,
        stats.bytes as f64 / 1e6,
        stats.constructions
    );
    Ok(0)
}

#[cfg(feature = "tables")]
/// `bench --synthetic N`: generate a corpus, then time a real `run` over it into a fresh folder.
fn bench_end_to_end(args: BenchArgs, n: u64) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let scratch = match &args.work {
        Some(w) => {
            std::fs::create_dir_all(w).with_context(|| format!("creating {}", w.display()))?;
            tempfile_in(w)?
        }
        None => tempfile_in(&std::env::temp_dir())?,
    };
    let corpus = scratch.join("corpus.jsonl");
    let out = scratch.join("out");
    let generated = Instant::now();
    let cast = tonetrack::synth::Cast::from_registry(&engine.registry);
    let opts = tonetrack::synth::SynthOptions {
        articles: n,
        seed: args.seed,
        mean_bytes: 4000,
    };
    let file =
        std::fs::File::create(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let stats = tonetrack::synth::write_corpus(&mut w, &cast, &opts)?;
    w.flush()?;
    drop(w);
    let generate_s = generated.elapsed().as_secs_f64();
    let rss_before_run = peak_rss_mib();
    info!(
        "generated {n} articles ({:.0} MB) in {generate_s:.1} s; running",
        stats.bytes as f64 / 1e6
    );

    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.clamp(1, 4))
        .max_blocking_threads(jobs.max(1))
        .enable_all()
        .build()?;
    let storage = tonetrack::store::LocalStorage::new(&out)?;
    let opts = RunOptions {
        inputs: vec![corpus.clone()],
        jobs,
        ..RunOptions::default()
    };
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let report = job::run(
        &runtime,
        Arc::new(engine),
        Arc::new(config),
        &storage,
        &opts,
        &chrono::Utc::now().to_rfc3339(),
        Arc::new(|_| {}),
    )?;
    let run_s = started.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let report = json!({
        "mode": "end-to-end run on a synthetic corpus",
        "articles": report.added,
        "statements": report.statements_added,
        "rejects": report.rejects,
        "megabytes": stats.bytes as f64 / 1e6,
        "jobs": jobs,
        "generate_seconds": generate_s,
        "run_seconds": run_s,
        "cpu_seconds": cpu_s,
        "articles_per_second": report.added as f64 / run_s,
        "statements_per_second": report.statements_added as f64 / run_s,
        "megabytes_per_second": stats.bytes as f64 / 1e6 / run_s,
        "peak_rss_mib": peak_rss_mib(),
        "peak_rss_mib_before_run": rss_before_run,
        "scratch": args.keep.then(|| scratch.display().to_string()),
    });
    if !args.keep {
        std::fs::remove_dir_all(&scratch)
            .with_context(|| format!("removing {}", scratch.display()))?;
    }
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(&report)?
    )?;
    Ok(0)
}

#[cfg(feature = "tables")]
/// A fresh, uniquely named folder under `parent`.
fn tempfile_in(parent: &Path) -> Result<PathBuf> {
    let dir = parent.join(format!(
        "tonetrack-bench-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[cfg(feature = "tables")]
/// User + system CPU time of this process so far, in seconds (Linux), to tell how many cores a
/// run kept busy.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn bench(args: BenchArgs) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let Some(input) = args.articles.clone() else {
        bail!("give --articles FILE or --synthetic N")
    };
    let (articles, rejects) = pipeline::read_articles_blocking(&input, &config);
    if articles.is_empty() {
        bail!(
            "{}: no readable article ({} rejects)",
            input.display(),
            rejects.len()
        );
    }
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let mut passes = Vec::new();
    let mut statements = 0;
    for _ in 0..args.repeat.max(1) {
        let batch = articles.clone();
        let started = Instant::now();
        statements = batch
            .into_iter()
            .map(|a| engine.process(a).statements.len())
            .sum::<usize>();
        passes.push(started.elapsed().as_secs_f64());
    }
    let best = passes.iter().copied().fold(f64::INFINITY, f64::min);
    let mean = passes.iter().sum::<f64>() / passes.len() as f64;
    let report = json!({
        "input": input.display().to_string(),
        "articles": articles.len(),
        "statements": statements,
        "megabytes": bytes as f64 / 1e6,
        "passes": passes.len(),
        "threads": 1,
        "best_seconds": best,
        "mean_seconds": mean,
        "articles_per_second": articles.len() as f64 / best,
        "statements_per_second": statements as f64 / best,
        "megabytes_per_second": bytes as f64 / 1e6 / best,
        "peak_rss_mib": peak_rss_mib(),
        "scorer": engine.scorer.name(),
    });
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(&report)?
    )?;
    Ok(0)
}

fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        Some(p) => Config::load(p).with_context(|| format!("loading config {}", p.display())),
        None => Ok(Config::default()),
    }
}

fn load(common: &Common) -> Result<(Config, Engine)> {
    let config = load_config(common.config.as_deref())?;
    let engine = Engine::load_with(&config, common.scorer, &common.transformer.options())
        .context("loading models")?;
    Ok((config, engine))
}

#[cfg(feature = "tables")]
fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    let progress = indicatif::ProgressBar::new_spinner();
    if quiet {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    } else {
        progress.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} articles processed ({per_sec}) {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
    }
    progress
}

#[cfg(feature = "tables")]
fn storage_for(out: &Path) -> Result<Box<dyn Storage>> {
    let out = out.to_string_lossy();
    tonetrack::store::open(&out).with_context(|| format!("opening output {out}"))
}

#[cfg(feature = "tables")]
fn run(args: RunArgs, quiet: bool) -> Result<u8> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339();
    let (config, engine) = load(&args.common)?;
    let storage = storage_for(&args.out)?;
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let progress = progress_bar(quiet);
    let bar = progress.clone();
    let on_progress: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(move |n| bar.inc(n as u64));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.clamp(1, 4))
        .max_blocking_threads(jobs.max(1))
        .enable_all()
        .build()?;
    let opts = RunOptions {
        inputs: args.inputs.clone(),
        jobs,
        since: args.since,
        until: args.until,
        shard: args.shard,
        rebuild: args.rebuild,
    };
    let report = job::run(
        &runtime,
        Arc::new(engine),
        Arc::new(config),
        storage.as_ref(),
        &opts,
        &started_at,
        on_progress,
    )?;
    progress.finish_and_clear();
    for line in &report.reject_lines {
        warn!("{line}");
    }
    let total_s = started.elapsed().as_secs_f64();
    let skipped = [
        (report.unchanged, "already in the state"),
        (report.outside_window, "outside --since/--until"),
        (report.other_shard, "for other shards"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, why)| format!(", {n} {why}"))
    .collect::<String>();
    let outcome = match &report.published {
        Some(p) => format!(
            "tables now hold {} articles, {} statements, {} rejects",
            p.articles, p.statements, p.rejects
        ),
        None => "nothing new: tables unchanged".to_string(),
    };
    info!(
        added = report.added,
        replaced = report.replaced,
        statements = report.statements_added,
        rejects = report.rejects,
        seconds = format!("{total_s:.2}"),
        "run finished in {total_s:.2} s: {} articles added, {} replaced{skipped}; {} statements, {} rejects this run; {outcome} → {}",
        report.added,
        report.replaced,
        report.statements_added,
        report.rejects,
        storage.describe()
    );
    if args.strict && report.rejects > 0 {
        return Ok(EXIT_REJECTS_STRICT);
    }
    Ok(0)
}

#[cfg(feature = "tables")]
fn plot(args: PlotArgs) -> Result<u8> {
    let storage = storage_for(&args.out)?;
    let charts = match (
        &args.charts,
        args.out.to_string_lossy().starts_with("s3://"),
    ) {
        (Some(c), _) => c.clone(),
        (None, false) => args.out.join("charts"),
        (None, true) => bail!("--out is on S3: say where the charts go with --charts DIR"),
    };
    let font = tonetrack::plot::register_font(args.font.as_deref())?;
    let written = tonetrack::plot::plot(storage.as_ref(), &charts)?;
    let mut stdout = std::io::stdout().lock();
    for (path, what) in &written {
        writeln!(stdout, "{}  {what}", path.display())?;
    }
    info!(
        "{} charts written to {} (font {})",
        written.len(),
        charts.display(),
        font.display()
    );
    Ok(0)
}

#[cfg(feature = "tables")]
fn summary(args: SummaryArgs) -> Result<u8> {
    let storage = storage_for(&args.out)?;
    let statements = tonetrack::report::read_table(storage.as_ref(), "statements.parquet")?;
    let mut text = format!(
        "Tone by country ({} statements; tone −1 firm … +1 conciliatory)\n\n",
        statements.height()
    );
    text.push_str(&tonetrack::report::countries(&statements)?);
    if let Some(bytes) = storage.read("visits.parquet")? {
        let visits = tonetrack::store::read_parquet_bytes(bytes, "visits.parquet")?;
        text.push_str("\nVisits: mean tone before, during and after (n b/d/a = statements in each window)\n\n");
        text.push_str(&tonetrack::report::visits(&visits)?);
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}

#[cfg(feature = "tables")]
fn merge(args: MergeArgs) -> Result<u8> {
    let started = Instant::now();
    let config = match &args.config {
        Some(p) => Config::load(p).with_context(|| format!("loading config {}", p.display()))?,
        None => Config::default(),
    };
    // Validates the config as the shard runs did (visit countries against the places files).
    Engine::load(&config, ScorerKind::Lexicon).context("loading models")?;
    let shards: Vec<Box<dyn Storage>> = args
        .shards
        .iter()
        .map(|s| storage_for(s))
        .collect::<Result<_>>()?;
    let shard_refs: Vec<&dyn Storage> = shards.iter().map(|s| s.as_ref()).collect();
    let target = storage_for(&args.out)?;
    let published = job::merge(
        &shard_refs,
        target.as_ref(),
        &config,
        &chrono::Utc::now().to_rfc3339(),
    )?;
    info!(
        "merged {} shards in {:.2} s: {} articles, {} statements, {} rejects → {}",
        shards.len(),
        started.elapsed().as_secs_f64(),
        published.articles,
        published.statements,
        published.rejects,
        target.describe()
    );
    Ok(0)
}

fn predictions(
    engine: &Engine,
    config: &Config,
    path: &Path,
) -> Result<(Vec<Predicted>, Vec<tonetrack::types::ProcessedArticle>)> {
    let (articles, rejects) = pipeline::read_articles_blocking(path, config);
    for r in &rejects {
        warn!(
            "{}{}: {}",
            r.input,
            r.line.map(|l| format!(":{l}")).unwrap_or_default(),
            r.reason
        );
    }
    if articles.is_empty() {
        bail!("{}: no readable article", path.display());
    }
    let processed: Vec<_> = articles.into_iter().map(|a| engine.process(a)).collect();
    let mut preds = Vec::new();
    for p in &processed {
        let t = &p.article.text;
        for s in &p.statements {
            let st = &s.statement;
            preds.push(Predicted {
                article: p.article.id.clone(),
                kind: st.kind.as_str().into(),
                span: (char_offset(t, st.span.start), char_offset(t, st.span.end)),
                quote_span: st
                    .quote
                    .map(|q| (char_offset(t, q.start), char_offset(t, q.end))),
                // The gold files call a statement quoted when it contains a quotation mark;
                // apply the same test to ours, counting the mark that opened a quote ('' does
                // not count).
                quoted: st.span.slice(t).contains(QUOTE_MARKS)
                    || st
                        .quote
                        .is_some_and(|q| t[..q.start].trim_end().ends_with(QUOTE_MARKS)),
                text: st.span.slice(t).into(),
                speaker: s.speaker.name.clone(),
                speaker_mention: st.speaker_mention.map(|m| m.slice(t).to_string()),
                attribution: st.attribution.to_string(),
                country: s.speaker.country.clone(),
                tone: s.tone.tone,
            });
        }
    }
    Ok((preds, processed))
}

fn extract(args: ExtractArgs) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let (_, processed) = predictions(&engine, &config, &args.file)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for p in &processed {
        let t = &p.article.text;
        if !args.json {
            writeln!(
                out,
                "# {} ({}) — {} statements",
                p.article.id,
                p.article.published,
                p.statements.len()
            )?;
        }
        for s in &p.statements {
            let st = &s.statement;
            let (start, end) = (char_offset(t, st.span.start), char_offset(t, st.span.end));
            if args.json {
                let row = json!({
                    "article": p.article.id, "kind": st.kind.as_str(), "start": start, "end": end,
                    "text": st.span.slice(t), "quote": st.quote.map(|q| q.slice(t)),
                    "cue": st.cue.map(|c| c.slice(t)), "speaker": s.speaker.name,
                    "speaker_mention": st.speaker_mention.map(|m| m.slice(t)),
                    "speaker_resolution": s.speaker.resolution, "speaker_role": s.speaker.role,
                    "country": s.speaker.country, "country_resolution": s.speaker.country_resolution,
                    "addressee": s.addressee, "attribution": st.attribution, "flags": st.flags,
                    "tone": s.tone.tone, "tone_label": s.tone.label.as_str(), "tone_cues": s.tone.cues,
                    "sentiment": s.tone.sentiment,
                });
                writeln!(out, "{row}")?;
            } else {
                writeln!(
                    out,
                    "[{start}..{end}] {:<8} {} ({}) {} → {:+.2} {}\n    {}",
                    st.kind.as_str(),
                    s.speaker.name.as_deref().unwrap_or("—"),
                    s.speaker.country.as_deref().unwrap_or("?"),
                    st.cue.map(|c| c.slice(t)).unwrap_or("·"),
                    s.tone.tone,
                    s.tone.label.as_str(),
                    st.span.slice(t)
                )?;
            }
        }
    }
    Ok(0)
}

fn score(args: ScoreArgs) -> Result<u8> {
    let (_, engine) = load(&args.common)?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // A learned scorer gets the lines in chunks, so it sees batches rather than single texts;
    // the lexicon answers each line at once (interactive use).
    let chunk = if args.common.scorer.is_learned() {
        SCORE_CHUNK
    } else {
        1
    };
    let mut pending: Vec<String> = Vec::new();
    let flush = |pending: &mut Vec<String>, out: &mut std::io::StdoutLock| -> Result<()> {
        let inputs: Vec<ToneInput> = pending
            .iter()
            .map(|t| ToneInput { text: t, cue: None })
            .collect();
        for (text, s) in pending.iter().zip(engine.scorer.score_batch(&inputs)) {
            let row = json!({
                "text": text, "tone": s.tone, "tone_label": s.label.as_str(), "tone_confidence": s.confidence,
                "tone_cues": s.cues, "sentiment": s.sentiment, "tone_lexicon": s.lexicon_tone, "scorer": engine.scorer.name(),
            });
            writeln!(out, "{row}")?;
        }
        pending.clear();
        Ok(())
    };
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line.with_context(|| format!("reading stdin line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let text = if line.trim_start().starts_with('{') {
            let v: serde_json::Value = serde_json::from_str(&line)
                .with_context(|| format!("stdin line {}: malformed JSON", i + 1))?;
            match v.get("text").and_then(|t| t.as_str()) {
                Some(t) => t.to_string(),
                None => bail!(
                    "stdin line {}: JSON object without a string \"text\" field",
                    i + 1
                ),
            }
        } else {
            line
        };
        pending.push(text);
        if pending.len() >= chunk {
            flush(&mut pending, &mut out)?;
        }
    }
    flush(&mut pending, &mut out)?;
    Ok(0)
}

/// Lines `tonetrack score` reads before scoring them together.
const SCORE_CHUNK: usize = 256;

fn parse_threshold(s: &str) -> Result<(String, f64)> {
    let (k, v) = s
        .split_once('=')
        .with_context(|| format!("threshold {s:?}: write METRIC=VALUE"))?;
    let v: f64 = v
        .parse()
        .with_context(|| format!("threshold {s:?}: {v:?} is not a number"))?;
    Ok((k.to_string(), v))
}

/// `train speakers`: cross-validates the speaker re-ranker by article, picks the epochs and
/// margin with the best held-out accuracy, retrains on everything and writes the weights.
fn train_speakers(args: TrainSpeakersArgs) -> Result<u8> {
    use tonetrack::quotes::ranker::{self, SpeakerRanker};
    use tonetrack::quotes::ranker_train;
    let (config, mut engine) = load(&args.common)?;
    // The model learns to doubt the rules, so it must see their choices, not its own.
    engine.extractor.set_ranker(None);
    let gold = eval::read_gold(&args.gold)?;
    let (articles, rejects) = pipeline::read_articles_blocking(&args.articles, &config);
    if !rejects.is_empty() {
        warn!(
            "{}: {} unreadable articles",
            args.articles.display(),
            rejects.len()
        );
    }
    let n_articles = articles.len();
    let data = ranker_train::examples(&engine, articles, &gold);
    let n_quotes: usize = data.iter().map(|a| a.examples.len()).sum();
    if n_quotes == 0 {
        bail!(
            "{}: no quote matched a gold quote with a speaker",
            args.gold.display()
        );
    }
    let trusted: Vec<Vec<String>> = args
        .trusted
        .iter()
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect()
        })
        .collect();
    let results = ranker_train::cross_validate(
        &data,
        args.folds,
        &args.epochs,
        &args.margin,
        &trusted,
        args.seed,
    );
    let best = results
        .iter()
        .max_by(|a, b| {
            a.ranked_correct
                .cmp(&b.ranked_correct)
                // On a tie: more attributions trusted (faster), the larger margin (fewer changes
                // to the rules), fewer passes.
                .then(a.trusted.len().cmp(&b.trusted.len()))
                .then(a.margin.total_cmp(&b.margin))
                .then(b.epochs.cmp(&a.epochs))
        })
        .context("no setting to cross-validate")?;
    let mut out = std::io::stdout().lock();
    let reachable = data
        .iter()
        .flat_map(|a| &a.examples)
        .filter(|x| x.positive.iter().any(|&p| p))
        .count();
    writeln!(
        out,
        "{n_quotes} quotes in {n_articles} articles; a right speaker among the candidates of {reachable} ({:.4})",
        reachable as f64 / n_quotes as f64
    )?;
    for r in &results {
        writeln!(
            out,
            "epochs {:>3} margin {:>4.1} trusted {:?}: rules {:.4} ranked {:.4} (folds: {})",
            r.epochs,
            r.margin,
            r.trusted,
            r.rules_accuracy(),
            r.ranked_accuracy(),
            r.folds
                .iter()
                .map(|(n, a, b)| format!(
                    "{:.3}/{:.3}",
                    *a as f64 / *n as f64,
                    *b as f64 / *n as f64
                ))
                .collect::<Vec<_>>()
                .join(" ")
        )?;
    }
    let all: Vec<_> = data
        .iter()
        .flat_map(|a| a.examples.iter().cloned())
        .collect();
    let weights = ranker::train(&all, best.epochs, args.seed);
    let model = SpeakerRanker::new(weights, best.margin, best.trusted.clone());
    let about = format!(
        "Speaker re-ranker: weights of `tonetrack train speakers` (averaged perceptron).\n\
         Trained on {} ({} articles, {} quotes matched to a gold speaker), seed {}.\n\
         {}-fold cross-validation by article chose epochs {}, margin {} and trusted {:?}:\n\
         held-out speaker accuracy on those quotes {:.4} with the re-ranker, {:.4} with the\n\
         rules alone.\n\
         Regenerate with the same command; see models/README.md.",
        args.gold.display(),
        n_articles,
        n_quotes,
        args.seed,
        args.folds,
        best.epochs,
        best.margin,
        best.trusted,
        best.ranked_accuracy(),
        best.rules_accuracy(),
    );
    std::fs::write(&args.out, model.to_toml(&about))
        .with_context(|| format!("writing {}", args.out.display()))?;
    writeln!(
        out,
        "chose epochs {} margin {}; wrote {}",
        best.epochs,
        best.margin,
        args.out.display()
    )?;
    Ok(0)
}

fn eval_statements(args: EvalArgs) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let gold = eval::read_gold(&args.gold)?;
    let terms = args
        .not_statements
        .as_deref()
        .map(eval::read_gold)
        .transpose()?;
    let (preds, _) = predictions(&engine, &config, &args.articles)?;
    let (report, mismatches) = eval::evaluate(&gold, &preds, args.subset, terms.as_deref());
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(&report)?
    )?;
    if let Some(path) = &args.mismatches {
        let mut text = String::new();
        for m in &mismatches {
            text.push_str(&serde_json::to_string(m)?);
            text.push('\n');
        }
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut failed = false;
    for (list, is_min) in [(&args.min, true), (&args.max, false)] {
        for t in list {
            let (name, bound) = parse_threshold(t)?;
            let value = eval::metric(&report, &name)
                .with_context(|| format!("unknown or empty metric {name:?}"))?;
            let ok = if is_min {
                value >= bound
            } else {
                value <= bound
            };
            if !ok {
                failed = true;
                eprintln!(
                    "FAIL: {name} = {value} is {} {bound}",
                    if is_min { "below" } else { "above" }
                );
            }
        }
    }
    Ok(if failed { EXIT_BELOW_THRESHOLD } else { 0 })
}

/// `train`, `eval tone` and `bench transformer`: the learned scorers' commands. The work is in
/// `tonetrack::tone::{train, transformer::tasks}`; this wires it to files and the terminal.
mod learned {
    use super::*;
    #[cfg(feature = "transformer")]
    use tonetrack::tone::train::select_sentences;
    use tonetrack::tone::train::{self, read_labelled, Dataset, Prepared};
    use tonetrack::tone::LexiconScorer;

    fn lexicon_only_prepared(set: &Dataset, lexicon: &LexiconScorer) -> Vec<Prepared> {
        set.examples
            .iter()
            .map(|e| Prepared {
                label: train::label_index(e.label),
                embedding: Vec::new(),
                lexicon: tonetrack::tone::ToneScorer::score(
                    lexicon,
                    &ToneInput {
                        text: &e.text,
                        cue: None,
                    },
                ),
            })
            .collect()
    }

    #[cfg(feature = "transformer")]
    fn scorer_names(kinds: &[ScorerKind]) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Vec::new();
        for k in kinds {
            if !names.contains(&k.as_str()) {
                names.push(k.as_str());
            }
        }
        names
    }

    fn print(text: &str) -> Result<()> {
        std::io::stdout().lock().write_all(text.as_bytes())?;
        Ok(())
    }

    /// Load average and core count, for benchmark reports taken on a shared machine.
    #[cfg(feature = "transformer")]
    fn machine() -> serde_json::Value {
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
        json!({ "cores": std::thread::available_parallelism().map(|n| n.get()).ok(), "loadavg_1_5_15": load })
    }

    #[cfg(not(feature = "transformer"))]
    fn no_feature(what: &str) -> anyhow::Error {
        anyhow::anyhow!(
            "{what} needs the learned scorers, which this libtorch-free build leaves out: run scripts/setup-transformer.sh and build with the default features"
        )
    }

    #[cfg(not(feature = "transformer"))]
    pub fn train_head(_args: TrainArgs) -> Result<u8> {
        Err(no_feature("tonetrack train"))
    }

    #[cfg(not(feature = "transformer"))]
    pub fn train_tone(_args: TrainToneArgs) -> Result<u8> {
        Err(no_feature("tonetrack train tone"))
    }

    #[cfg(not(feature = "transformer"))]
    pub fn bench_transformer(_args: BenchTransformerArgs) -> Result<u8> {
        Err(no_feature("tonetrack bench transformer"))
    }

    #[cfg(not(feature = "transformer"))]
    pub fn eval_tone(args: EvalToneArgs) -> Result<u8> {
        let kinds = if args.scorer.is_empty() {
            vec![ScorerKind::Lexicon]
        } else {
            args.scorer.clone()
        };
        if args.cv.is_some() || kinds.iter().any(ScorerKind::is_learned) {
            return Err(no_feature("comparing learned scorers"));
        }
        let config = load_config(args.config.as_deref())?;
        let (lexicon_file, _) = pipeline::tone_files(&config, false, None)?;
        let lexicon = LexiconScorer::load(&lexicon_file)?;
        let gold_path = args.gold.as_deref().context("--gold FILE is required")?;
        let gold = read_labelled(gold_path, "gold")?;
        let prepared = lexicon_only_prepared(&gold, &lexicon);
        let y: Vec<usize> = prepared.iter().map(|p| p.label).collect();
        let pred: Vec<usize> = prepared
            .iter()
            .map(|p| train::label_index(p.lexicon.label))
            .collect();
        let m = train::metrics(&y, &pred);
        if args.json {
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(
                    &json!({ "file": gold.path, "n": y.len(), "scorers": [["lexicon", m]] })
                )?
            ))?;
        } else {
            print(&format!(
                "{} ({} statements)\nlexicon: accuracy {:.3}, macro-F1 {:.3}, confusion (rows gold conciliatory/neutral/firm) {:?}\n",
                gold.path, m.n, m.accuracy, m.macro_f1, m.confusion
            ))?;
        }
        Ok(0)
    }

    #[cfg(feature = "transformer")]
    mod with_feature {
        use super::*;
        use tonetrack::tone::transformer::{self, tasks, tune, tune_card, Embedder, ModelDir};

        fn embedder(options: &TransformerOptions) -> Result<(ModelDir, Embedder)> {
            let model = ModelDir::open(&options.resolved_model_dir())?;
            let embedder = Embedder::start(&model, transformer::worker_options(options))?;
            Ok((model, embedder))
        }

        fn sets(cameo: &Path, diplomatic: &Path) -> Result<Vec<Dataset>> {
            Ok(vec![
                read_labelled(cameo, "cameo (mapped)")?,
                read_labelled(diplomatic, "diplomatic")?,
            ])
        }

        pub fn train_head(args: TrainArgs) -> Result<u8> {
            let started = Instant::now();
            let config = load_config(args.config.as_deref())?;
            let options = args.transformer.options();
            let (lexicon_file, _) = pipeline::tone_files(&config, false, None)?;
            let lexicon = LexiconScorer::load(&lexicon_file)?;
            let sets = sets(&args.cameo, &args.diplomatic)?;
            let (model, embedder) = embedder(&options)?;
            let sha = transformer::sha256_file(&model.safetensors())?;
            info!(
                "embedding {} statements",
                sets.iter().map(|s| s.examples.len()).sum::<usize>()
            );
            let prepared = tasks::prepare(&sets, &embedder, &lexicon)?;
            info!(
                "training the heads{}",
                if args.cv > 1 {
                    format!(" and running {}-fold cross-validation", args.cv)
                } else {
                    String::new()
                }
            );
            let name = model
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "model".into());
            let facts = tasks::ModelFacts {
                name,
                safetensors_sha256: sha,
                dim: embedder.dim(),
                max_seq_length: model.max_seq_length,
            };
            let trained = tasks::train(
                &sets,
                &prepared,
                &lexicon_file,
                tonetrack::tone::ToneScorer::version(&lexicon),
                facts,
                &args.version,
                args.cv,
                args.seed,
            );
            std::fs::write(&args.out, trained.head.to_json())
                .with_context(|| format!("writing {}", args.out.display()))?;
            std::fs::write(&args.card, &trained.card)
                .with_context(|| format!("writing {}", args.card.display()))?;
            for r in &trained.cv {
                print(&format!("{}\n", train::cv_table(r)))?;
            }
            info!(
                "wrote {} and {} in {:.1} s (L2: transformer {}, ensemble {})",
                args.out.display(),
                args.card.display(),
                started.elapsed().as_secs_f64(),
                trained.head.transformer.l2,
                trained.head.ensemble.l2
            );
            Ok(0)
        }

        /// `train tone`: fine-tuning CV (unless `--cv 0`), the final model, its files and card.
        pub fn train_tone(args: TrainToneArgs) -> Result<u8> {
            let started = Instant::now();
            let config = load_config(args.config.as_deref())?;
            let options = args.transformer.options().with_config(&config);
            let (lexicon_file, _) = pipeline::tone_files(&config, false, None)?;
            let lexicon = LexiconScorer::load(&lexicon_file)?;
            let sets = tonetrack::tone::data::standard_sets(&args.tune.shared, &args.tune.ours)?;
            // The held-out tenth is never trained on (`eval tone --heldout` scores it).
            let (sets, _) = tonetrack::tone::data::split_heldout(sets);
            let opts = args.tune.options(args.seed);
            info!(
                "tokenising {} statements and running the frozen layers",
                sets.iter().map(|s| s.examples.len()).sum::<usize>()
            );
            let setup = tune::Setup::new(
                &options.resolved_model_dir(),
                sets,
                &lexicon,
                &opts,
                args.tune.threads,
            )?;
            let cv = if args.cv > 1 {
                info!("{}-fold cross-validation (fine-tuning per fold)", args.cv);
                let cv = tune::cross_validate(
                    &setup.encoder,
                    &setup.corpus,
                    &setup.frozen,
                    args.cv,
                    &opts,
                    &|m| info!("{m}"),
                )?;
                print(&tune::cv_text(&cv))?;
                Some(cv)
            } else {
                None
            };
            info!("fine-tuning on all {} statements", setup.corpus.len());
            let model = tune::train_final(&setup.encoder, &setup.corpus, &setup.frozen, &opts)?;
            let facts = tune_card::Facts {
                version: &args.version,
                lexicon_file: &lexicon_file,
                lexicon_version: tonetrack::tone::ToneScorer::version(&lexicon),
                opts: &opts,
                threads: args.tune.threads,
            };
            let paths = tune_card::Paths {
                head: args.out.clone(),
                layers: args.layers_out.clone(),
                card: args.card.clone(),
            };
            tune_card::write_model(&setup, &model, cv.as_ref(), &facts, &paths)?;
            info!(
                "wrote {}, {} and {} in {:.0} s",
                args.layers_out.display(),
                args.out.display(),
                args.card.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(0)
        }

        /// `eval tone --heldout`: the shipped scorers on the held-out split of each set.
        fn eval_heldout(args: &EvalToneArgs) -> Result<u8> {
            let config = load_config(args.config.as_deref())?;
            let options = args.transformer.options().with_config(&config);
            let (lexicon_file, head_file) =
                pipeline::tone_files(&config, true, options.head.as_deref())?;
            let head_file = head_file.context("no tone head")?;
            let sets = tonetrack::tone::data::standard_sets(&args.tune.shared, &args.tune.ours)?;
            let (_, heldout) = tonetrack::tone::data::split_heldout(sets);
            let kinds = if args.scorer.is_empty() {
                vec![
                    ScorerKind::Lexicon,
                    ScorerKind::Transformer,
                    ScorerKind::Ensemble,
                ]
            } else {
                args.scorer.clone()
            };
            let mut rows = Vec::new();
            for kind in scorer_names(&kinds) {
                let kind = match kind {
                    "transformer" => ScorerKind::Transformer,
                    "ensemble" => ScorerKind::Ensemble,
                    _ => ScorerKind::Lexicon,
                };
                let (scorer, _) = tonetrack::tone::build(
                    kind,
                    LexiconScorer::load(&lexicon_file)?,
                    &lexicon_file,
                    Some(&head_file),
                    &options,
                )?;
                for set in &heldout {
                    let m = tune::score_set(scorer.as_ref(), set);
                    rows.push((kind.as_str(), set.name.clone(), m));
                }
            }
            let mut failed = false;
            for bound in &args.min_f1 {
                let (key, v) = bound
                    .split_once('=')
                    .with_context(|| format!("--min-f1 {bound}: expected SCORER:SET=V"))?;
                let (scorer, set) = key
                    .split_once(':')
                    .with_context(|| format!("--min-f1 {bound}: expected SCORER:SET=V"))?;
                let v: f64 = v
                    .parse()
                    .with_context(|| format!("--min-f1 {bound}: not a number"))?;
                let row = rows
                    .iter()
                    .find(|(k, s, _)| *k == scorer && s.starts_with(set))
                    .with_context(|| format!("--min-f1 {bound}: no such scorer and set"))?;
                if row.2.macro_f1 < v {
                    eprintln!(
                        "FAIL: {scorer} macro-F1 on the held-out {} = {:.3} is below {v}",
                        row.1, row.2.macro_f1
                    );
                    failed = true;
                }
            }
            if args.json {
                print(&format!("{}\n", serde_json::to_string_pretty(&rows)?))?;
            } else {
                let mut s = String::from("held-out tenth of each set (never trained on); macro-F1 over the gold classes\nscorer        set                     n  accuracy  macro-F1\n");
                for (k, set, m) in &rows {
                    s.push_str(&format!(
                        "{k:<12}  {set:<20} {:>4}  {:>8.3}  {:>8.3}\n",
                        m.n, m.accuracy, m.macro_f1
                    ));
                }
                print(&s)?;
            }
            Ok(if failed { EXIT_BELOW_THRESHOLD } else { 0 })
        }

        pub fn eval_tone(args: EvalToneArgs) -> Result<u8> {
            if args.heldout {
                return eval_heldout(&args);
            }
            if let (Some(k), false) = (args.cv, args.frozen) {
                if k < 2 {
                    bail!("--cv needs at least 2 folds");
                }
                let config = load_config(args.config.as_deref())?;
                let options = args.transformer.options().with_config(&config);
                let (lexicon_file, _) = pipeline::tone_files(&config, false, None)?;
                let lexicon = LexiconScorer::load(&lexicon_file)?;
                let sets =
                    tonetrack::tone::data::standard_sets(&args.tune.shared, &args.tune.ours)?;
                let (sets, _) = tonetrack::tone::data::split_heldout(sets);
                let opts = args.tune.options(args.seed);
                let setup = tune::Setup::new(
                    &options.resolved_model_dir(),
                    sets,
                    &lexicon,
                    &opts,
                    args.tune.threads,
                )?;
                let cv = tune::cross_validate(
                    &setup.encoder,
                    &setup.corpus,
                    &setup.frozen,
                    k,
                    &opts,
                    &|m| info!("{m}"),
                )?;
                if args.json {
                    print(&format!("{}\n", serde_json::to_string_pretty(&cv)?))?;
                } else {
                    print(&tune::cv_text(&cv))?;
                }
                return Ok(0);
            }
            let config = load_config(args.config.as_deref())?;
            let options = args.transformer.options();
            let kinds = if args.scorer.is_empty() {
                vec![
                    ScorerKind::Lexicon,
                    ScorerKind::Transformer,
                    ScorerKind::Ensemble,
                ]
            } else {
                args.scorer.clone()
            };
            let names = scorer_names(&kinds);
            let learned = kinds.iter().any(ScorerKind::is_learned);
            let (lexicon_file, head_file) =
                pipeline::tone_files(&config, learned, options.head.as_deref())?;
            let lexicon = LexiconScorer::load(&lexicon_file)?;
            if let Some(k) = args.cv {
                if k < 2 {
                    bail!("--cv needs at least 2 folds");
                }
                let sets = sets(&args.cameo, &args.diplomatic)?;
                let (_, embedder) = embedder(&options)?;
                let prepared = tasks::prepare(&sets, &embedder, &lexicon)?;
                let reports = tasks::cross_validate_sets(&sets, &prepared, k, args.seed);
                if args.json {
                    print(&format!(
                        "{}\n",
                        serde_json::to_string_pretty(&json!({ "cv": reports, "scorers": names }))?
                    ))?;
                } else {
                    for r in &reports {
                        print(&format!("{}\n", train::cv_table(r)))?;
                    }
                }
                return Ok(0);
            }
            let gold_path = args
                .gold
                .as_deref()
                .context("--gold FILE is required without --cv")?;
            let gold = read_labelled(gold_path, "gold")?;
            let (prepared, head) = match head_file.filter(|_| learned) {
                Some(head_file) => {
                    let loaded = transformer::load(&head_file, &lexicon_file.sha256, &options)?;
                    let prepared =
                        tasks::prepare(std::slice::from_ref(&gold), &loaded.embedder, &lexicon)?
                            .pop()
                            .unwrap_or_default();
                    (prepared, Some(loaded.head))
                }
                None => (lexicon_only_prepared(&gold, &lexicon), None),
            };
            let report = match &head {
                Some(h) => tasks::evaluate_gold(&gold, &prepared, h, &names),
                None => tasks::evaluate_gold(&gold, &prepared, &placeholder_head(), &["lexicon"]),
            };
            if args.json {
                print(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            } else {
                print(&tasks::gold_table(&report))?;
            }
            Ok(0)
        }

        /// Only the lexicon is evaluated: the head is never read.
        fn placeholder_head() -> tonetrack::tone::head::HeadFile {
            let layer = tonetrack::tone::head::Layer {
                features: vec![],
                l2: 0.0,
                weights: vec![],
                bias: vec![],
            };
            tonetrack::tone::head::HeadFile {
                schema_version: 0,
                version: String::new(),
                embedding: tonetrack::tone::head::EmbeddingModel {
                    name: String::new(),
                    safetensors_sha256: String::new(),
                    dim: 0,
                    max_seq_length: 0,
                },
                labels: vec![],
                lexicon_sha256: String::new(),
                transformer: layer.clone(),
                ensemble: layer,
                tuned: None,
            }
        }

        pub fn bench_transformer(args: BenchTransformerArgs) -> Result<u8> {
            let config = load_config(args.config.as_deref())?;
            let options = args.transformer.options();
            let (texts, sha) =
                select_sentences(&args.sentences, args.count, args.min_words, args.max_words)?;
            if texts.len() < args.count {
                warn!(
                    "{} holds only {} distinct texts of {}..={} words",
                    args.sentences.display(),
                    texts.len(),
                    args.min_words,
                    args.max_words
                );
            }
            let report = match args.engine {
                BenchEngine::Scorer => {
                    let (lexicon_file, head_file) =
                        pipeline::tone_files(&config, true, options.head.as_deref())?;
                    let head_file = head_file.context("no tone head")?;
                    let lexicon = LexiconScorer::load(&lexicon_file)?;
                    tasks::bench_scorer(
                        &texts,
                        &sha,
                        &head_file,
                        lexicon,
                        &lexicon_file.sha256,
                        &options,
                        !args.no_sort,
                        args.repeat,
                    )?
                }
                BenchEngine::RustBert => {
                    tasks::bench_rust_bert(&texts, &sha, &options, !args.no_sort, args.repeat)?
                }
            };
            let mut v = serde_json::to_value(&report)?;
            v["input"] = json!(args.sentences.display().to_string());
            v["peak_rss_mib"] = json!(peak_rss_mib());
            v["machine"] = machine();
            print(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
            Ok(0)
        }
    }

    #[cfg(feature = "transformer")]
    pub use with_feature::{bench_transformer, eval_tone, train_head, train_tone};
}
