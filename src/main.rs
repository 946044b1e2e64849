//! The `tonetrack` binary: command line, logging, progress and exit codes. All work happens in
//! the library; this file only wires it to the terminal.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;
use tracing::{info, warn};

use tonetrack::config::Config;
use tonetrack::job::{self, RunOptions};
use tonetrack::eval::{self, Predicted, Subset};
use tonetrack::output::char_offset;
use tonetrack::pipeline::{self, Engine, Shard};
use tonetrack::store::Storage;
use tonetrack::tone::{ScorerKind, ToneInput};

/// The marks that make a gold statement "quoted" (see ../shared/datasets/README.md).
const QUOTE_MARKS: [char; 6] = ['"', '“', '”', '„', '«', '»'];

/// Exit codes (also in the README).
const EXIT_ERROR: u8 = 1;
const EXIT_BELOW_THRESHOLD: u8 = 3;
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
tonetrack eval statements --gold gold.jsonl --articles articles.jsonl --subset quoted"
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
    #[command(after_help = "Example:\n  tonetrack run notebooks-data --config notebooks-data/tonetrack.toml --out out\n  \
cat feed.jsonl | tonetrack run - --out out")]
    Run(RunArgs),
    /// Combine the output folders of `run --shard I/N` copies into one state and one set of tables.
    #[command(after_help = "Example (a job array of two):\n  tonetrack run feed --shard 0/2 --out shard0\n  \
tonetrack run feed --shard 1/2 --out shard1\n  tonetrack merge shard0 shard1 --out out")]
    Merge(MergeArgs),
    /// Draw the charts (PNG and SVG) from the tables of a run's output folder.
    #[command(after_help = "Example:\n  tonetrack plot --out out            # writes out/charts/*.png and *.svg\n  \
tonetrack plot --out out --charts /tmp/charts")]
    Plot(PlotArgs),
    /// Print tone per country and per visit from a run's output folder, as terminal tables.
    #[command(after_help = "Example:\n  tonetrack summary out")]
    Summary(SummaryArgs),
    /// Print the statements of one article (for debugging extraction).
    #[command(after_help = "Example:\n  tonetrack extract ../shared/seed/blinken-beijing.txt --json | jq .")]
    Extract(ExtractArgs),
    /// Score lines of text (or JSONL objects with a "text" field) from stdin; JSONL out.
    #[command(after_help = "Example:\n  echo 'China has no room for compromises.' | tonetrack score")]
    Score(ScoreArgs),
    /// Measure extraction against a gold file.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Benchmark: articles/s, statements/s, MB/s and peak RSS, in memory on a file of articles or
    /// end to end (`run` into a scratch folder) on a synthetic corpus.
    #[command(after_help = "Examples:\n  tonetrack bench --articles ../shared/datasets/polnear/train.articles.jsonl --repeat 5\n  \
tonetrack bench --synthetic 100000 --jobs 2      # generate, then `run` end to end\n  \
tonetrack bench --synthetic 1000000 --work /var/tmp/tt-bench --keep")]
    Bench(BenchArgs),
    /// Write a deterministic synthetic news corpus (JSON Lines, ~4 KB articles) for benchmarks.
    #[command(after_help = "Example:\n  tonetrack synth --articles 10000 --out corpus.jsonl\n  tonetrack synth --articles 5 --out - | head -c 2000")]
    Synth(SynthArgs),
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

#[derive(Args)]
struct BenchArgs {
    /// Articles to process in memory (.jsonl, .txt or .html); read once, processed --repeat times
    /// on one thread (extraction, attribution, scoring; no tables).
    #[arg(long, required_unless_present = "synthetic", conflicts_with = "synthetic")]
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

#[derive(Args)]
struct Common {
    /// Run configuration (knowledge files, JSONL field names, visits).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Tone scorer.
    #[arg(long, value_enum, default_value_t = ScorerKind::Lexicon)]
    scorer: ScorerKind,
}

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

#[derive(Args)]
struct SummaryArgs {
    /// The output folder of `tonetrack run` (or s3://bucket/prefix).
    out: PathBuf,
}

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
    #[command(after_help = "Example:\n  tonetrack eval statements --gold ../shared/eval/seed-gold.jsonl \\\n    \
--articles ../shared/seed/blinken-beijing.txt --min recall=1 --max spurious=2")]
    Statements(EvalArgs),
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.quiet, cli.log_format);
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
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

fn init_logging(quiet: bool, format: LogFormat) {
    let default = if quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TONETRACK_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).with_ansi(ansi);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Run(args) => run(args, cli.quiet),
        Command::Merge(args) => merge(args),
        Command::Plot(args) => plot(args),
        Command::Summary(args) => summary(args),
        Command::Extract(args) => extract(args),
        Command::Score(args) => score(args),
        Command::Eval(EvalCommand::Statements(args)) => eval_statements(args),
        Command::Bench(args) => match args.synthetic {
            Some(n) => bench_end_to_end(args, n),
            None => bench(args),
        },
        Command::Synth(args) => synth(args),
    }
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
    let opts = tonetrack::synth::SynthOptions { articles: args.articles, seed: args.seed, mean_bytes: args.mean_bytes };
    let stats = if args.out.as_os_str() == "-" {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let stats = tonetrack::synth::write_corpus(&mut out, &cast, &opts)?;
        out.flush()?;
        stats
    } else {
        let file = std::fs::File::create(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let stats = tonetrack::synth::write_corpus(&mut out, &cast, &opts).with_context(|| format!("writing {}", args.out.display()))?;
        out.flush()?;
        stats
    };
    info!("{} articles, {:.1} MB of text, {} quotation constructions", stats.articles, stats.bytes as f64 / 1e6, stats.constructions);
    Ok(0)
}

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
    let opts = tonetrack::synth::SynthOptions { articles: n, seed: args.seed, mean_bytes: 4000 };
    let file = std::fs::File::create(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let stats = tonetrack::synth::write_corpus(&mut w, &cast, &opts)?;
    w.flush()?;
    drop(w);
    let generate_s = generated.elapsed().as_secs_f64();
    let rss_before_run = peak_rss_mib();
    info!("generated {n} articles ({:.0} MB) in {generate_s:.1} s; running", stats.bytes as f64 / 1e6);

    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(jobs.clamp(1, 4)).max_blocking_threads(jobs.max(1)).enable_all().build()?;
    let storage = tonetrack::store::LocalStorage::new(&out)?;
    let opts = RunOptions { inputs: vec![corpus.clone()], jobs, ..RunOptions::default() };
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let report = job::run(&runtime, Arc::new(engine), Arc::new(config), &storage, &opts, &chrono::Utc::now().to_rfc3339(), Arc::new(|_| {}))?;
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
        std::fs::remove_dir_all(&scratch).with_context(|| format!("removing {}", scratch.display()))?;
    }
    writeln!(std::io::stdout().lock(), "{}", serde_json::to_string_pretty(&report)?)?;
    Ok(0)
}

/// A fresh, uniquely named folder under `parent`.
fn tempfile_in(parent: &Path) -> Result<PathBuf> {
    let dir = parent.join(format!("tonetrack-bench-{}-{}", std::process::id(), chrono::Utc::now().timestamp_millis()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

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
    let Some(input) = args.articles.clone() else { bail!("give --articles FILE or --synthetic N") };
    let (articles, rejects) = pipeline::read_articles_blocking(&input, &config);
    if articles.is_empty() {
        bail!("{}: no readable article ({} rejects)", input.display(), rejects.len());
    }
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let mut passes = Vec::new();
    let mut statements = 0;
    for _ in 0..args.repeat.max(1) {
        let batch = articles.clone();
        let started = Instant::now();
        statements = batch.into_iter().map(|a| engine.process(a).statements.len()).sum::<usize>();
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
    writeln!(std::io::stdout().lock(), "{}", serde_json::to_string_pretty(&report)?)?;
    Ok(0)
}

fn load(common: &Common) -> Result<(Config, Engine)> {
    let config = match &common.config {
        Some(p) => Config::load(p).with_context(|| format!("loading config {}", p.display()))?,
        None => Config::default(),
    };
    let engine = Engine::load(&config, common.scorer).context("loading models")?;
    Ok((config, engine))
}

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    let progress = indicatif::ProgressBar::new_spinner();
    if quiet {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    } else {
        progress.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} articles processed ({per_sec}) {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
    }
    progress
}

fn storage_for(out: &Path) -> Result<Box<dyn Storage>> {
    let out = out.to_string_lossy();
    tonetrack::store::open(&out).with_context(|| format!("opening output {out}"))
}

fn run(args: RunArgs, quiet: bool) -> Result<u8> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339();
    let (config, engine) = load(&args.common)?;
    let storage = storage_for(&args.out)?;
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let progress = progress_bar(quiet);
    let bar = progress.clone();
    let on_progress: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(move |n| bar.inc(n as u64));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(jobs.clamp(1, 4)).max_blocking_threads(jobs.max(1)).enable_all().build()?;
    let opts = RunOptions {
        inputs: args.inputs.clone(),
        jobs,
        since: args.since,
        until: args.until,
        shard: args.shard,
        rebuild: args.rebuild,
    };
    let report = job::run(&runtime, Arc::new(engine), Arc::new(config), storage.as_ref(), &opts, &started_at, on_progress)?;
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
        Some(p) => format!("tables now hold {} articles, {} statements, {} rejects", p.articles, p.statements, p.rejects),
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

fn plot(args: PlotArgs) -> Result<u8> {
    let storage = storage_for(&args.out)?;
    let charts = match (&args.charts, args.out.to_string_lossy().starts_with("s3://")) {
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
    info!("{} charts written to {} (font {})", written.len(), charts.display(), font.display());
    Ok(0)
}

fn summary(args: SummaryArgs) -> Result<u8> {
    let storage = storage_for(&args.out)?;
    let statements = tonetrack::report::read_table(storage.as_ref(), "statements.parquet")?;
    let mut text = format!("Tone by country ({} statements; tone −1 firm … +1 conciliatory)\n\n", statements.height());
    text.push_str(&tonetrack::report::countries(&statements)?);
    if let Some(bytes) = storage.read("visits.parquet")? {
        let visits = tonetrack::store::read_parquet_bytes(bytes, "visits.parquet")?;
        text.push_str("\nVisits: mean tone before, during and after (n b/d/a = statements in each window)\n\n");
        text.push_str(&tonetrack::report::visits(&visits)?);
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}

fn merge(args: MergeArgs) -> Result<u8> {
    let started = Instant::now();
    let config = match &args.config {
        Some(p) => Config::load(p).with_context(|| format!("loading config {}", p.display()))?,
        None => Config::default(),
    };
    // Validates the config as the shard runs did (visit countries against the places files).
    Engine::load(&config, ScorerKind::Lexicon).context("loading models")?;
    let shards: Vec<Box<dyn Storage>> = args.shards.iter().map(|s| storage_for(s)).collect::<Result<_>>()?;
    let shard_refs: Vec<&dyn Storage> = shards.iter().map(|s| s.as_ref()).collect();
    let target = storage_for(&args.out)?;
    let published = job::merge(&shard_refs, target.as_ref(), &config, &chrono::Utc::now().to_rfc3339())?;
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

fn predictions(engine: &Engine, config: &Config, path: &Path) -> Result<(Vec<Predicted>, Vec<tonetrack::types::ProcessedArticle>)> {
    let (articles, rejects) = pipeline::read_articles_blocking(path, config);
    for r in &rejects {
        warn!("{}{}: {}", r.input, r.line.map(|l| format!(":{l}")).unwrap_or_default(), r.reason);
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
                quote_span: st.quote.map(|q| (char_offset(t, q.start), char_offset(t, q.end))),
                // The gold files call a statement quoted when it contains a quotation mark;
                // apply the same test to ours, counting the mark that opened a quote ('' does
                // not count).
                quoted: st.span.slice(t).contains(QUOTE_MARKS)
                    || st.quote.is_some_and(|q| t[..q.start].trim_end().ends_with(QUOTE_MARKS)),
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
            writeln!(out, "# {} ({}) — {} statements", p.article.id, p.article.published, p.statements.len())?;
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
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line.with_context(|| format!("reading stdin line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let text = if line.trim_start().starts_with('{') {
            let v: serde_json::Value = serde_json::from_str(&line).with_context(|| format!("stdin line {}: malformed JSON", i + 1))?;
            match v.get("text").and_then(|t| t.as_str()) {
                Some(t) => t.to_string(),
                None => bail!("stdin line {}: JSON object without a string \"text\" field", i + 1),
            }
        } else {
            line
        };
        let s = engine.scorer.score(&ToneInput { text: &text, cue: None });
        let row = json!({
            "text": text, "tone": s.tone, "tone_label": s.label.as_str(), "tone_confidence": s.confidence,
            "tone_cues": s.cues, "sentiment": s.sentiment, "scorer": engine.scorer.name(),
        });
        writeln!(out, "{row}")?;
    }
    Ok(0)
}

fn parse_threshold(s: &str) -> Result<(String, f64)> {
    let (k, v) = s.split_once('=').with_context(|| format!("threshold {s:?}: write METRIC=VALUE"))?;
    let v: f64 = v.parse().with_context(|| format!("threshold {s:?}: {v:?} is not a number"))?;
    Ok((k.to_string(), v))
}

fn eval_statements(args: EvalArgs) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let gold = eval::read_gold(&args.gold)?;
    let terms = args.not_statements.as_deref().map(eval::read_gold).transpose()?;
    let (preds, _) = predictions(&engine, &config, &args.articles)?;
    let (report, mismatches) = eval::evaluate(&gold, &preds, args.subset, terms.as_deref());
    writeln!(std::io::stdout().lock(), "{}", serde_json::to_string_pretty(&report)?)?;
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
            let value = eval::metric(&report, &name).with_context(|| format!("unknown or empty metric {name:?}"))?;
            let ok = if is_min { value >= bound } else { value <= bound };
            if !ok {
                failed = true;
                eprintln!("FAIL: {name} = {value} is {} {bound}", if is_min { "below" } else { "above" });
            }
        }
    }
    Ok(if failed { EXIT_BELOW_THRESHOLD } else { 0 })
}
