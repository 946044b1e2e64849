//! `train` (the tone head), `eval tone` and `bench transformer`: the learned scorers'
//! commands. The work is in `tonetrack::tone::{train, transformer::tasks}`; this wires it to
//! files and the terminal. Kept apart, unchanged, while the tone training moves into the library.
//!
//! Example: `tonetrack eval tone --gold models/tone-training/diplomatic-statements.jsonl --scorer
//! lexicon`, or (feature `transformer`) `tonetrack train --cv 5`.

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::json;

use tonetrack::pipeline;
#[cfg(feature = "transformer")]
use tonetrack::tone::train::select_sentences;
use tonetrack::tone::train::{self, read_labelled, Dataset, Prepared};
use tonetrack::tone::LexiconScorer;
use tonetrack::tone::{ScorerKind, ToneInput};

use super::args::{BenchTransformerArgs, EvalToneArgs, TrainArgs, TrainToneArgs};
use super::load_config;

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
    if args.cv.is_some() || args.heldout || args.card.is_some() {
        return Err(no_feature("evaluating the learned scorer"));
    }
    if kinds.iter().any(ScorerKind::is_learned) {
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
    use std::path::Path;
    use std::time::Instant;

    use anyhow::bail;
    use tracing::{info, warn};

    use tonetrack::tone::transformer::{self, tasks, tune, tune_card, Embedder, ModelDir};
    use tonetrack::tone::TransformerOptions;

    use super::super::args::BenchEngine;
    use super::super::peak_rss_mib;
    use super::*;

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
        let options = args.transformer.training_options()?;
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

    /// What `train tone` and `eval tone --cv` both start from, so both see the same data: the
    /// tone lexicon (the ensemble's features), the standard sets less their held-out tenth (never
    /// trained on; `eval tone --heldout` scores it), tokenised, with the frozen layers run once.
    struct Tuning {
        setup: tune::Setup,
        opts: transformer::finetune::FinetuneOptions,
        lexicon: LexiconScorer,
        lexicon_file: tonetrack::models::ModelFile,
    }

    fn tuning(
        config: Option<&Path>,
        transformer: &super::super::args::TransformerArgs,
        tune_args: &super::super::args::FinetuneArgs,
        seed: u64,
    ) -> Result<Tuning> {
        let config = load_config(config)?;
        let options = transformer.training_options()?.with_config(&config);
        let (lexicon_file, _) = pipeline::tone_files(&config, false, None)?;
        let lexicon = LexiconScorer::load(&lexicon_file)?;
        let sets = tonetrack::tone::data::standard_sets(&tune_args.shared, &tune_args.ours)?;
        let (sets, _) = tonetrack::tone::data::split_heldout(sets);
        let opts = tune_args.options(seed);
        info!(
            "tokenising {} statements and running the frozen layers",
            sets.iter().map(|s| s.examples.len()).sum::<usize>()
        );
        let setup = tune::Setup::new(
            &options.resolved_model_dir(),
            sets,
            &lexicon,
            &opts,
            tune_args.threads,
        )?;
        Ok(Tuning {
            setup,
            opts,
            lexicon,
            lexicon_file,
        })
    }

    /// `train tone`: fine-tuning CV (unless `--cv 0`), the final model, its files and card.
    pub fn train_tone(args: TrainToneArgs) -> Result<u8> {
        let started = Instant::now();
        let Tuning {
            setup,
            opts,
            lexicon,
            lexicon_file,
        } = tuning(
            args.config.as_deref(),
            &args.transformer,
            &args.tune,
            args.seed,
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
        let exit = gate_min_f1(&args.min_f1, "the held-out", |scorer, set| {
            rows.iter()
                .find(|(k, s, _)| *k == scorer && s.starts_with(set))
                .map(|(_, s, m)| (s.clone(), m.macro_f1))
        })?;
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
        Ok(exit)
    }

    /// Checks every `--min-f1 SCORER:SET=V` against `f1(scorer, set)` (the set's full name and
    /// its macro-F1) and reports each one below its bound; the exit code: 3 if any was, else 0.
    fn gate_min_f1(
        bounds: &[String],
        what: &str,
        f1: impl Fn(&str, &str) -> Option<(String, f64)>,
    ) -> Result<u8> {
        let mut failed = false;
        for bound in bounds {
            let (scorer, set, v) = parse_bound(bound)?;
            let (name, got) = f1(scorer, set)
                .with_context(|| format!("--min-f1 {bound}: no such scorer and set"))?;
            if got < v {
                eprintln!("FAIL: {scorer} macro-F1 on {what} {name} = {got:.3} is below {v}");
                failed = true;
            }
        }
        Ok(if failed {
            crate::EXIT_BELOW_THRESHOLD
        } else {
            0
        })
    }

    /// `--min-f1 SCORER:SET=V` as (scorer, set, V).
    fn parse_bound(bound: &str) -> Result<(&str, &str, f64)> {
        let (key, v) = bound
            .split_once('=')
            .with_context(|| format!("--min-f1 {bound}: expected SCORER:SET=V"))?;
        let (scorer, set) = key
            .split_once(':')
            .with_context(|| format!("--min-f1 {bound}: expected SCORER:SET=V"))?;
        let v: f64 = v
            .parse()
            .with_context(|| format!("--min-f1 {bound}: not a number"))?;
        Ok((scorer, set, v))
    }

    /// `eval tone --card`: the card's hashes against the shipped files and today's data, then
    /// its recorded cross-validation against the bars. CI runs this instead of `--cv 5`, which
    /// is training (about 3 minutes on 2 idle cores) and so not CI's to do.
    fn eval_card(args: &EvalToneArgs, path: &Path) -> Result<u8> {
        use tonetrack::tone::card::{CardRecord, Shipped};
        let config = load_config(args.config.as_deref())?;
        let options = args.transformer.options().with_config(&config);
        let (lexicon_file, head_file) =
            pipeline::tone_files(&config, true, options.head.as_deref())?;
        let head_file = head_file.context("no tone head")?;
        let head = tonetrack::tone::head::HeadFile::load(&head_file)?;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the model card {}", path.display()))?;
        let card = CardRecord::parse(&path.display().to_string(), &text)?;
        let model = ModelDir::open(&options.resolved_model_dir())?;
        let tuned_sha256 = match &head.tuned {
            Some(t) => Some(transformer::sha256_file(&transformer::tuned_path(
                &head_file, &t.file,
            ))?),
            None => None,
        };
        let sets = tonetrack::tone::data::standard_sets(&args.tune.shared, &args.tune.ours)?;
        let shipped = Shipped {
            base_sha256: transformer::sha256_file(&model.safetensors())?,
            tuned_sha256,
            head_sha256: head_file.sha256.clone(),
            lexicon_sha256: lexicon_file.sha256.clone(),
            data: sets
                .iter()
                .map(|d| (d.name.clone(), d.sha256.clone()))
                .collect(),
        };
        let mismatches = card.mismatches(&shipped);
        if !mismatches.is_empty() {
            for m in &mismatches {
                eprintln!("FAIL: {}: {m}", path.display());
            }
            bail!(
                "the model card {} does not describe the shipped model (differences: {}): retrain with `tonetrack train tone`, which rewrites the head, the layers and the card together",
                path.display(),
                mismatches.len()
            );
        }
        let mut s = format!(
            "{}: describes the shipped head {}…, layers {}…, base {}… and today's training data; its recorded {}-fold cross-validation (mean macro-F1):\n",
            path.display(),
            &shipped.head_sha256[..12],
            shipped.tuned_sha256.as_deref().map_or("(none)", |t| &t[..12]),
            &shipped.base_sha256[..12],
            card.folds.map_or("?".into(), |k| k.to_string())
        );
        s.push_str(&format!(
            "{:<22}{:>6}{:>10}{:>13}{:>10}\n",
            "set", "n", "lexicon", "transformer", "ensemble"
        ));
        for r in &card.cv {
            s.push_str(&format!(
                "{:<22}{:>6}{:>10.3}{:>13.3}{:>10.3}\n",
                r.set, r.n, r.lexicon, r.transformer, r.ensemble
            ));
        }
        print(&s)?;
        if card.cv.is_empty() && !args.min_f1.is_empty() {
            bail!(
                "{} records no cross-validation (trained with --cv 0): rerun `tonetrack train tone`",
                path.display()
            );
        }
        gate_min_f1(
            &args.min_f1,
            "the card's cross-validation of",
            |scorer, set| {
                card.cv_mean(scorer, set)
                    .map(|(name, f1)| (name.to_string(), f1))
            },
        )
    }

    pub fn eval_tone(args: EvalToneArgs) -> Result<u8> {
        if !args.min_f1.is_empty() && !args.heldout && args.card.is_none() {
            bail!("--min-f1 gates --heldout or --card; give one of them");
        }
        if let Some(card) = &args.card {
            return eval_card(&args, card);
        }
        if args.heldout {
            return eval_heldout(&args);
        }
        if let (Some(k), false) = (args.cv, args.frozen) {
            if k < 2 {
                bail!("--cv needs at least 2 folds");
            }
            let Tuning { setup, opts, .. } = tuning(
                args.config.as_deref(),
                &args.transformer,
                &args.tune,
                args.seed,
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
            // The heads are fitted per fold: training, so f32 like `train`.
            let (_, embedder) = embedder(&args.transformer.training_options()?)?;
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
