//! The `tonetrack` binary: parsing, logging, dispatch and exit codes. All work happens in the
//! library; `src/cli/` wires it to the terminal, one file per command family (`run.rs` for
//! run/merge, `plot.rs` for plot/summary, `extract.rs`, `eval.rs`, `train.rs`, `learned.rs`,
//! `bench.rs`, `synth.rs`; the table in `cli/mod.rs`). Every command's arguments are in
//! `cli/args.rs`: a new command adds its struct there, a variant to `Command`, its file in
//! `src/cli/` and its arm in [`dispatch`].
//!
//! Example: `tonetrack eval statements --gold gold.jsonl --articles articles.jsonl --min f1=0.9`
//! exits 0, or [`EXIT_BELOW_THRESHOLD`] when F1 is below 0.9.

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

mod cli;

use cli::args::{
    ActorsCommand, BenchArgs, BenchCommand, Cli, Command, EvalCommand, LogFormat, TrainWhat,
};
use cli::{bench, eval, extract, learned, synth, train};

/// Exit codes (also in the README).
const EXIT_ERROR: u8 = 1;
const EXIT_BELOW_THRESHOLD: u8 = 3;
// Only `run --strict` exits with it, and `run` needs the tables.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
const EXIT_REJECTS_STRICT: u8 = 4;
/// Another run holds the output's lock (`run`, `merge`, `check`).
const EXIT_BUSY: u8 = 5;
/// `check`: the state holds articles without their statement rows.
#[cfg_attr(not(feature = "tables"), allow(dead_code))]
const EXIT_DAMAGED: u8 = 6;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.quiet, cli.log_format);
    #[cfg(all(not(target_env = "msvc"), feature = "tables"))]
    tonetrack::job::on_publishing(cli::alloc::return_freed_pages_at_once);
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS, // `tonetrack extract … | head`
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The exit code of an error: [`EXIT_BUSY`] when another run holds the output, else [`EXIT_ERROR`].
fn exit_code(e: &anyhow::Error) -> u8 {
    let busy = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<tonetrack::error::Error>(),
            Some(tonetrack::error::Error::Busy { .. })
        )
    });
    if busy {
        EXIT_BUSY
    } else {
        EXIT_ERROR
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
        Command::Run(args) => cli::run::run(args, cli.quiet),
        #[cfg(feature = "tables")]
        Command::Merge(args) => cli::run::merge(args),
        #[cfg(feature = "tables")]
        Command::Plot(args) => cli::plot::plot(args),
        #[cfg(feature = "tables")]
        Command::Summary(args) => cli::plot::summary(args),
        #[cfg(feature = "tables")]
        Command::Check(args) => cli::run::check(args),
        #[cfg(not(feature = "tables"))]
        Command::Run(_) => Err(cli::without_tables("run")),
        #[cfg(not(feature = "tables"))]
        Command::Merge(_) => Err(cli::without_tables("merge")),
        #[cfg(not(feature = "tables"))]
        Command::Plot(_) => Err(cli::without_tables("plot")),
        #[cfg(not(feature = "tables"))]
        Command::Summary(_) => Err(cli::without_tables("summary")),
        #[cfg(not(feature = "tables"))]
        Command::Check(_) => Err(cli::without_tables("check")),
        Command::Extract(args) => extract::extract(args),
        Command::Score(args) => extract::score(args),
        Command::Eval(EvalCommand::Statements(args)) => eval::eval_statements(args),
        Command::Eval(EvalCommand::Tone(args)) => learned::eval_tone(args),
        Command::Eval(EvalCommand::Targets(args)) => eval::eval_targets(args),
        Command::Bench(BenchArgs {
            what: Some(BenchCommand::Transformer(args)),
            ..
        }) => learned::bench_transformer(args),
        Command::Bench(args) => match args.synthetic {
            #[cfg(feature = "tables")]
            Some(n) => bench::bench_end_to_end(args, n),
            #[cfg(not(feature = "tables"))]
            Some(_) => Err(cli::without_tables("bench --synthetic")),
            None => bench::bench(args),
        },
        Command::Synth(args) => synth::synth(args),
        Command::Actors(ActorsCommand::Import(args)) => cli::actors::import(args),
        Command::Train(args) => match args.what {
            Some(TrainWhat::Speakers(a)) => train::train_speakers(a),
            Some(TrainWhat::Tone(a)) => learned::train_tone(a),
            None => learned::train_head(args),
        },
    }
}
