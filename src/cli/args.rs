//! The command line as clap structs: every command's arguments, with the help texts that
//! `tonetrack --help` and `tonetrack COMMAND --help` print. Each command family's file in
//! `src/cli/` takes its struct from here; nothing here does any work beyond
//! [`TransformerArgs::options`].
//!
//! Example: `tonetrack eval statements --gold gold.jsonl --articles articles.jsonl --subset quoted`
//! parses into `Command::Eval(EvalCommand::Statements(EvalArgs { .. }))`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use tonetrack::eval::Subset;
use tonetrack::pipeline::Shard;
use tonetrack::tone::{
    DeviceKind, Precision, PrecisionChoice, PrecisionReason, ScorerKind, TransformerOptions,
};

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
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Only warnings and errors on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum Command {
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
tonetrack plot --out out --charts /tmp/charts\n  \
tonetrack plot --out out --countries USA,ISR --period day\n  \
tonetrack plot --out out --config tonetrack.toml   # its [plot] table"
    )]
    Plot(PlotArgs),
    /// Print tone per country and per visit from a run's output folder, as terminal tables.
    #[command(
        after_help = "Example:\n  tonetrack summary out\n  tonetrack summary out --countries USA,ISR"
    )]
    Summary(SummaryArgs),
    /// Check an output's state: every article the index holds has its statement rows (exit 6 if not).
    #[command(after_help = "Example:\n  tonetrack check --out out")]
    Check(CheckArgs),
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
        after_help = "Example:\n  tonetrack synth --articles 10000 --out corpus.jsonl\n  tonetrack synth --articles 5 --out - | head -c 2000\n  \
tonetrack synth --world world --articles 400   # 34 countries, 8 visits, with world/tonetrack.toml"
    )]
    Synth(SynthArgs),
    /// Train the tone head of the transformer and ensemble scorers; writes models/tone-head.json and its model card.
    #[command(
        after_help = "Example (feature `transformer`):\n  source models/transformer/env.sh\n  \
tonetrack train --cv 5            # writes models/tone-head.json and models/tone-head.md"
    )]
    Train(TrainArgs),
    /// Actor registry tools.
    #[command(subcommand)]
    Actors(ActorsCommand),
}

#[derive(Subcommand)]
pub enum ActorsCommand {
    /// Convert the CAMEO/Phoenix actor dictionaries (*.actors.txt) into models/actors-phoenix.toml.
    #[command(
        after_help = "Example:\n  tonetrack actors import --dictionaries ../shared/datasets/phoenix-actors --models models --out models/actors-phoenix.toml"
    )]
    Import(ActorsImportArgs),
}

#[derive(Args)]
pub struct ActorsImportArgs {
    /// Folder holding the Phoenix `*.actors.txt` files.
    #[arg(long, default_value = "../shared/datasets/phoenix-actors")]
    pub dictionaries: PathBuf,
    /// Models folder with places.toml, cameo-codes.toml and the curated actor files [default: built in].
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Where to write the registry file.
    #[arg(long, default_value = "models/actors-phoenix.toml")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct SynthArgs {
    /// How many articles.
    #[arg(long, default_value_t = 10_000)]
    pub articles: u64,
    /// Seed: the same seed and size always give the same bytes.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Mean article length in bytes.
    #[arg(long, default_value_t = 4000)]
    pub mean_bytes: usize,
    /// Output file, or `-` for stdout.
    #[arg(long, required_unless_present = "world", conflicts_with = "world")]
    pub out: Option<PathBuf>,
    /// Instead: write a world of invented officials in many countries visiting each other
    /// (articles.jsonl, actors.toml and a tonetrack.toml with its visits) into this folder.
    #[arg(long)]
    pub world: Option<PathBuf>,
    /// With --world: how many countries speak (at most 40).
    #[arg(long, default_value_t = 34, requires = "world")]
    pub countries: usize,
    /// With --world: how many visits.
    #[arg(long, default_value_t = 8, requires = "world")]
    pub visits: usize,
    #[command(flatten)]
    pub common: Common,
}

// Without `tables`, `--synthetic` is refused before the end-to-end fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: Option<BenchCommand>,
    /// Articles to process in memory (.jsonl, .txt or .html); read once, processed --repeat times
    /// on one thread (extraction, attribution, scoring; no tables).
    #[arg(
        long,
        required_unless_present = "synthetic",
        conflicts_with = "synthetic"
    )]
    pub articles: Option<PathBuf>,
    /// How many passes over the articles; the fastest pass is reported too.
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
    /// Generate this many synthetic articles (see `tonetrack synth`) and time a real `run` on
    /// them end to end: reading, extraction, scoring, state, tables.
    #[arg(long)]
    pub synthetic: Option<u64>,
    /// Seed of the synthetic corpus.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Worker threads of the end-to-end run (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Scratch folder for the corpus and the run's output (default: a temporary folder).
    #[arg(long)]
    pub work: Option<PathBuf>,
    /// Keep the scratch folder (corpus and output) afterwards.
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Statements/s and peak RSS of the transformer scorer on a fixed set of statements.
    #[command(after_help = "Example:\n  tonetrack bench transformer --repeat 3\n  \
tonetrack bench transformer --engine rust-bert --replicas 1   # rust-bert's own pipeline, for comparison\n  \
scripts/bench-transformer.sh      # this and the Python peer (sentence-transformers), with the ratio")]
    Transformer(BenchTransformerArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchEngine {
    /// The transformer scorer: our forward pass on tch, tokenizers, worker replicas.
    Scorer,
    /// rust-bert's SentenceEmbeddingsModel on one thread (embeddings only).
    RustBert,
}

#[derive(Args)]
pub struct BenchTransformerArgs {
    /// JSONL with a "text" field; the first --count distinct texts of --min-words..=--max-words words are scored.
    #[arg(long, default_value = "../shared/datasets/polnear/train.gold.jsonl")]
    pub sentences: PathBuf,
    #[arg(long, default_value_t = 2000)]
    pub count: usize,
    #[arg(long, default_value_t = 10)]
    pub min_words: usize,
    #[arg(long, default_value_t = 40)]
    pub max_words: usize,
    /// Timed passes after a warm-up batch; throughput is from the median pass.
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    #[arg(long, value_enum, default_value_t = BenchEngine::Scorer)]
    pub engine: BenchEngine,
    /// Keep the input order instead of sorting by length before batching.
    #[arg(long)]
    pub no_sort: bool,
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub transformer: TransformerArgs,
}

#[derive(Args)]
pub struct Common {
    /// Run configuration (knowledge files, JSONL field names, visits).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Tone scorer: ensemble (learned; needs scripts/setup-transformer.sh), transformer, or lexicon (needs no libtorch).
    #[arg(long, value_enum, default_value_t = ScorerKind::DEFAULT)]
    pub scorer: ScorerKind,
    /// Read the inputs as news (`article`), as transcripts with speaker labels (`transcript`),
    /// or decide per document (`auto`) [default: `[input] format` of the config, else auto];
    /// an article's own `format` field wins.
    #[arg(long, value_name = "auto|article|transcript")]
    pub format: Option<tonetrack::types::DocFormat>,
    #[command(flatten)]
    pub transformer: TransformerArgs,
}

/// Settings of the learned scorers; the lexicon ignores them.
#[derive(Args, Clone)]
#[command(next_help_heading = "Transformer and ensemble scorers")]
pub struct TransformerArgs {
    /// The all-MiniLM-L6-v2 folder [default: $TONETRACK_TRANSFORMER_MODEL, else models/transformer/all-MiniLM-L6-v2]
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
    /// Tone head file [default: tone-head.json of the models folder, else the built-in copy]
    #[arg(long, value_name = "FILE")]
    pub head: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = DeviceKind::Cpu)]
    pub device: DeviceKind,
    /// Statements per forward pass. Part of `scorer_version`: every pass has this many rows
    /// (short batches are filled), so scores are the same bits in any run with the same value
    #[arg(long, default_value_t = 8)]
    pub batch_size: usize,
    /// Number format of the encoder's layers: bf16 is ~2.7x faster on CPUs with AVX512-BF16 (slower
    /// elsewhere) and part of `scorer_version`; auto keeps the output folder's precision, else
    /// picks bf16 on such CPUs and f32 on others. Training is always f32
    #[arg(long, value_enum, default_value_t = PrecisionChoice::Auto)]
    pub precision: PrecisionChoice,
    /// Encoder threads sharing the weights [default: one per core on cpu, one on cuda]
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub replicas: usize,
    /// libtorch threads per encoder thread [default: cores / replicas]
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads_per_replica: usize,
}

impl TransformerArgs {
    /// Options for scoring statements that go to no output folder (`score`, `extract`, `eval`,
    /// `bench`): `--precision auto` is this CPU's choice.
    pub fn options(&self) -> TransformerOptions {
        self.options_for_state(None).0
    }

    /// Options for scoring into an output folder whose statements (if any) were scored with
    /// `state_version` (`--precision auto` keeps their precision), and why that precision.
    pub fn options_for_state(
        &self,
        state_version: Option<&str>,
    ) -> (TransformerOptions, PrecisionReason) {
        let native = self.device == DeviceKind::Cpu && Precision::cpu_has_bf16();
        let (precision, why) = self.precision.resolve(state_version, native);
        (self.with_precision(precision), why)
    }

    /// Options for `train` and `eval tone --cv`, which fit in f32.
    #[cfg_attr(not(feature = "transformer"), allow(dead_code))]
    pub fn training_options(&self) -> anyhow::Result<TransformerOptions> {
        let precision = self.precision.for_training().map_err(anyhow::Error::msg)?;
        Ok(self.with_precision(precision))
    }

    fn with_precision(&self, precision: Precision) -> TransformerOptions {
        TransformerOptions {
            model_dir: self.model_dir.clone(),
            head: self.head.clone(),
            device: self.device,
            batch_size: self.batch_size,
            precision,
            replicas: self.replicas,
            threads_per_replica: self.threads_per_replica,
            config_model_dir: None,
        }
    }
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TrainArgs {
    #[command(subcommand)]
    pub what: Option<TrainWhat>,
    /// CAMEO sentences (JSONL: text, cameo_class); verbal_cooperation/statement/verbal_conflict are used.
    #[arg(long, default_value = "../shared/datasets/cameo-sentences/train.jsonl")]
    pub cameo: PathBuf,
    /// Our labelled diplomatic statements (JSONL: text, label).
    #[arg(
        long,
        default_value = "models/tone-training/diplomatic-statements.jsonl"
    )]
    pub diplomatic: PathBuf,
    /// Where to write the head.
    #[arg(long, default_value = "models/tone-head.json")]
    pub out: PathBuf,
    /// Where to write the model card.
    #[arg(long, default_value = "models/tone-head.md")]
    pub card: PathBuf,
    /// Version written into the head (and so into `scorer_version`).
    #[arg(long, default_value = "1.1.0")]
    pub version: String,
    /// Folds of the cross-validation reported in the card (0: none).
    #[arg(long, default_value_t = 5)]
    pub cv: usize,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub transformer: TransformerArgs,
}

#[derive(Subcommand)]
pub enum TrainWhat {
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
pub struct FinetuneArgs {
    /// Top layers of the encoder fine-tuned (the rest stay frozen).
    #[arg(long = "layers", default_value_t = 2)]
    pub tune_layers: usize,
    #[arg(long, default_value_t = 4)]
    pub epochs: usize,
    /// Examples per training step.
    #[arg(long, default_value_t = 16)]
    pub train_batch: usize,
    /// AdamW's initial learning rate (falls linearly to 0).
    #[arg(long, default_value_t = 1e-4)]
    pub lr: f64,
    /// libtorch threads; fixed so that a rerun gives the same weights.
    #[arg(long, default_value_t = 2)]
    pub threads: i32,
    /// ../shared/datasets (cameo-sentences/, plover-plv/).
    #[arg(long, default_value = "../shared/datasets")]
    pub shared: PathBuf,
    /// Our labelled statements: every *.jsonl file of this folder.
    #[arg(long, default_value = "models/tone-training")]
    pub ours: PathBuf,
}

#[cfg(feature = "transformer")]
impl FinetuneArgs {
    pub fn options(&self, seed: u64) -> tonetrack::tone::transformer::finetune::FinetuneOptions {
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
pub struct TrainToneArgs {
    #[command(flatten)]
    pub tune: FinetuneArgs,
    /// Where to write the head (the tuned layers go beside it).
    #[arg(long, default_value = "models/tone-head.json")]
    pub out: PathBuf,
    #[arg(long, default_value = "models/tone-encoder.safetensors")]
    pub layers_out: PathBuf,
    #[arg(long, default_value = "models/tone-head.md")]
    pub card: PathBuf,
    /// Version written into the head (and so into `scorer_version`).
    #[arg(long, default_value = "2.0.0")]
    pub version: String,
    /// Folds of the cross-validation reported in the card (0: none).
    #[arg(long, default_value_t = 5)]
    pub cv: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub transformer: TransformerArgs,
}

#[derive(Args)]
pub struct TrainSpeakersArgs {
    /// Gold statements with speakers (JSONL, as for `eval statements`).
    #[arg(long, default_value = "../shared/datasets/polnear/train.gold.jsonl")]
    pub gold: PathBuf,
    /// The articles the gold file refers to.
    #[arg(
        long,
        default_value = "../shared/datasets/polnear/train.articles.jsonl"
    )]
    pub articles: PathBuf,
    /// Where to write the weights.
    #[arg(long, default_value = "models/speaker-ranker.toml")]
    pub out: PathBuf,
    /// Folds of the cross-validation by article that picks epochs and margin.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Training passes to try (repeat the flag).
    #[arg(long, default_values_t = vec![5usize, 10, 20])]
    pub epochs: Vec<usize>,
    /// Margins to try: how much better another candidate must score than the rules' choice.
    #[arg(long, default_values_t = vec![0.0f64, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0])]
    pub margin: Vec<f64>,
    /// Attributions to leave to the rules, comma-separated; repeat the flag to compare sets
    /// (an empty value: none). The default trusts the readings where the subject of the
    /// reporting verb is the speaker by this project's convention ("X said …, according to
    /// Y" is X's, where PolNeAR names Y); the seed acceptance test depends on it.
    #[arg(long, default_values_t = vec!["after-quote,after-quote:inverted,before-quote,before-quote:coordinated".to_string()])]
    pub trusted: Vec<String>,
    /// Seed of the fold assignment and of the training order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
#[cfg_attr(not(feature = "transformer"), allow(dead_code))]
pub struct EvalToneArgs {
    /// Labelled statements to score (JSONL: text and label conciliatory|neutral|firm, or cameo_class).
    #[arg(long, required_unless_present_any = ["cv", "heldout", "card"])]
    pub gold: Option<PathBuf>,
    /// Check that the model card (default models/tone-head.md) describes the shipped head, layers, base encoder, lexicon and today's training data (by sha256), and print its recorded cross-validation; with --min-f1, gate those recorded means. Seconds: nothing is retrained.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "models/tone-head.md", conflicts_with_all = ["cv", "heldout", "gold"])]
    pub card: Option<PathBuf>,
    /// Score the fixed held-out tenth of each set (never trained on, see `train tone`) with the shipped scorers: seconds, where --cv retrains.
    #[arg(long, conflicts_with = "cv")]
    pub heldout: bool,
    /// With --heldout or --card: exit 3 when the named scorer's macro-F1 on a set is below V (SCORER:SET=V, sets cameo, plover, diplomatic), e.g. ensemble:cameo=0.8.
    #[arg(long = "min-f1", value_name = "SCORER:SET=V")]
    pub min_f1: Vec<String>,
    /// Instead of a gold file: K-fold cross-validation of the fine-tuned scorer over the CAMEO and PLOVER-PLV sets and ours (fine-tuned layers and heads retrained per fold; minutes per fold).
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,
    /// With --cv: the older, cheaper comparison of heads on the frozen encoder, over --cameo and --diplomatic.
    #[arg(long, requires = "cv")]
    pub frozen: bool,
    #[command(flatten)]
    pub tune: FinetuneArgs,
    /// Scorers to compare (repeat the flag) [default: lexicon, transformer and ensemble when built, else lexicon]
    #[arg(long, value_enum)]
    pub scorer: Vec<ScorerKind>,
    #[arg(long, default_value = "../shared/datasets/cameo-sentences/train.jsonl")]
    pub cameo: PathBuf,
    #[arg(
        long,
        default_value = "models/tone-training/diplomatic-statements.jsonl"
    )]
    pub diplomatic: PathBuf,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub transformer: TransformerArgs,
}

// Without `tables` the command is parsed (so its help stays) but refused before its fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
pub struct RunArgs {
    /// Files or folders (searched recursively) of .txt, .jsonl, .html articles; `-` reads JSONL from stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output folder (created if missing), or s3://bucket/prefix (credentials and endpoint from
    /// the AWS_* environment variables). Holds the tables and the state of earlier runs.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub common: Common,
    /// Worker threads for extraction and scoring (default: number of CPUs).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Exit with code 4 when any input was rejected.
    #[arg(long)]
    pub strict: bool,
    /// Only articles published on or after this date (YYYY-MM-DD), e.g. to bound a backfill.
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    /// Only articles published on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<chrono::NaiveDate>,
    /// Take only this shard of the articles (by a hash of their id), e.g. 0/4 … 3/4 for a job
    /// array of four; combine the shards' folders with `tonetrack merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Forget what earlier runs stored in --out and process the inputs from scratch (needed after
    /// a change of knowledge files, scorer or version; give every input, not only new ones).
    #[arg(long)]
    pub rebuild: bool,
    /// When another run holds --out, wait up to this many seconds for it (default: exit 5 at once).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
}

// Without `tables` the command is parsed (so its help stays) but refused before its fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
pub struct CheckArgs {
    /// The output folder of `tonetrack run` (or s3://bucket/prefix).
    #[arg(long)]
    pub out: PathBuf,
    /// When a run holds --out, wait up to this many seconds for it (default: exit 5 at once).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
}

// Without `tables` the command is parsed (so its help stays) but refused before its fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
pub struct PlotArgs {
    /// The output folder of `tonetrack run` (or s3://bucket/prefix) whose tables to draw.
    #[arg(long)]
    pub out: PathBuf,
    /// Where to write the charts; default OUT/charts (required when --out is on S3).
    #[arg(long)]
    pub charts: Option<PathBuf>,
    /// TrueType font for titles and labels; default: DejaVu Sans or Liberation Sans from the system.
    #[arg(long)]
    pub font: Option<PathBuf>,
    #[command(flatten)]
    pub show: ShowArgs,
}

/// What `plot` and `summary` show; flags win over the config's `[plot]` table.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
pub struct ShowArgs {
    /// Config whose `[plot]` table says what to show (the one given to `run`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Countries to show, in this order (ISO alpha-3, comma-separated), instead of each visit's
    /// sides and the busiest others.
    #[arg(long, value_delimiter = ',')]
    pub countries: Vec<String>,
    /// Points of the tone-by-country chart: day, week, or auto (from the span of the data).
    #[arg(long)]
    pub period: Option<tonetrack::config::PlotPeriod>,
}

// Without `tables` the command is parsed (so its help stays) but refused before its fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
pub struct SummaryArgs {
    /// The output folder of `tonetrack run` (or s3://bucket/prefix).
    pub out: PathBuf,
    #[command(flatten)]
    pub show: ShowArgs,
}

// Without `tables` the command is parsed (so its help stays) but refused before its fields are read.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
#[derive(Args)]
pub struct MergeArgs {
    /// Output folders of the shard runs (`tonetrack run --shard I/N --out FOLDER`).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Folder for the merged state and tables; its previous state is replaced by the union.
    #[arg(long)]
    pub out: PathBuf,
    /// The run configuration the shards used (visits, knowledge files).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// When another run holds --out, wait up to this many seconds for it (default: exit 5 at once).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
}

#[derive(Args)]
pub struct ExtractArgs {
    /// One article: .txt (with .meta.json), .html, or .jsonl (every line).
    pub file: PathBuf,
    /// One JSON object per statement instead of a readable list.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub common: Common,
}

#[derive(Subcommand)]
pub enum EvalCommand {
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
    /// Target-country accuracy on news sentences with marked source and target actors, or on
    /// annotated statements of real articles.
    #[command(
        after_help = "Examples:\n  tonetrack eval targets --gold ../shared/datasets/plover-plv/train.jsonl --min-accuracy 0.85\n  \
tonetrack eval targets --statements tests/fixtures/targets-wikinews.jsonl --articles ../shared/datasets/opennews/wikinews.jsonl"
    )]
    Targets(EvalTargetsArgs),
}

#[derive(Args)]
pub struct EvalTargetsArgs {
    /// Sentences, JSONL with `text` and `marked` (`<s>source</s>`, `<t>target</t>`).
    #[arg(long, required_unless_present = "statements")]
    pub gold: Option<PathBuf>,
    /// Instead: statements of real articles annotated with their target (JSONL: article, span, target).
    #[arg(long, requires = "articles", conflicts_with = "gold")]
    pub statements: Option<PathBuf>,
    /// The articles the --statements file refers to.
    #[arg(long)]
    pub articles: Option<PathBuf>,
    /// Write every sentence or statement whose target we got wrong here (JSONL).
    #[arg(long)]
    pub mismatches: Option<PathBuf>,
    /// Fail (exit 3) when the accuracy is below this.
    #[arg(long)]
    pub min_accuracy: Option<f64>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct EvalArgs {
    /// Gold statements, JSONL (article, kind, text, span, speaker[, country, tone]).
    #[arg(long)]
    pub gold: PathBuf,
    /// The articles the gold file refers to (.txt with .meta.json, or .jsonl).
    #[arg(long)]
    pub articles: PathBuf,
    /// Which statements to score.
    #[arg(long, value_enum, default_value_t = Subset::All)]
    pub subset: Subset,
    /// Quoted terms that must not be extracted as statements (JSONL with article and span).
    #[arg(long)]
    pub not_statements: Option<PathBuf>,
    /// Write every missed, spurious or wrongly attributed statement here (JSONL).
    #[arg(long)]
    pub mismatches: Option<PathBuf>,
    /// Fail (exit 3) when METRIC is below VALUE, e.g. --min f1=0.9.
    #[arg(long, value_name = "METRIC=VALUE")]
    pub min: Vec<String>,
    /// Fail (exit 3) when METRIC is above VALUE, e.g. --max spurious=2.
    #[arg(long, value_name = "METRIC=VALUE")]
    pub max: Vec<String>,
    #[command(flatten)]
    pub common: Common,
}
