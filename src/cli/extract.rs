//! The commands that show extraction and scoring on a few inputs: `extract` (the statements of
//! one article, readable or JSON) and `score` (tone of lines from stdin, JSONL out).
//!
//! Example: `tonetrack extract ../shared/seed/blinken-beijing.txt --json | jq .`, or
//! `echo 'We made real progress.' | tonetrack score`.

use std::io::{BufRead, Write};

use anyhow::{bail, Context, Result};
use serde_json::json;

use tonetrack::tone::ToneInput;
use tonetrack::types::char_offset;

use super::args::{ExtractArgs, ScoreArgs};
use super::eval::processed_articles;
use super::load;

pub fn extract(args: ExtractArgs) -> Result<u8> {
    let (config, engine) = load(&args.common)?;
    let processed = processed_articles(&engine, &config, &args.file)?;
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
                    "turn": s.turn.map(|l| l.slice(t)),
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

pub fn score(args: ScoreArgs) -> Result<u8> {
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
