//! Whom statements are about, through the whole engine (extraction, speakers, targets): the
//! seed article's expected targets (issue 20), and constructions in our own fictional text.

use std::path::Path;

use chrono::NaiveDate;
use tonetrack::config::Config;
use tonetrack::pipeline::Engine;
use tonetrack::tone::ScorerKind;
use tonetrack::types::{Article, Origin};

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::load(&Config::default(), ScorerKind::Lexicon).expect("built-in models load")
    })
}

/// (speaker, statement text, targets, resolution) of every statement of `text`.
fn targets(text: &str, date: &str) -> Vec<(Option<String>, String, Vec<String>, &'static str)> {
    let article = Article {
        id: "t".into(),
        published: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        title: None,
        source: None,
        url: None,
        language: None,
        text: text.to_string(),
        origin: Origin {
            input: "test".into(),
            line: None,
        },
    };
    engine()
        .process(article)
        .statements
        .iter()
        .map(|s| {
            (
                s.speaker.name.clone(),
                s.statement.span.slice(text).to_string(),
                s.target.targets.clone(),
                s.target.resolution.as_str(),
            )
        })
        .collect()
}

// See: issue 20. What Xi and Wang said in Beijing was about the United States; what Blinken
// said there was about China.
#[test]
fn on_the_seed_xi_and_wang_target_the_united_states_and_blinken_targets_china() {
    let path = Path::new("../shared/seed/blinken-beijing.txt");
    if !path.exists() {
        println!("skipped: ../shared/seed/blinken-beijing.txt not found");
        return;
    }
    let text = std::fs::read_to_string(path).unwrap();
    let rows = targets(&text, "2023-06-19");
    let expected = [
        ("Xi Jinping", "USA"),
        ("Wang Yi", "USA"),
        ("Antony Blinken", "CHN"),
    ];
    for (speaker, want) in expected {
        let theirs: Vec<_> = rows
            .iter()
            .filter(|r| r.0.as_deref() == Some(speaker))
            .collect();
        assert!(!theirs.is_empty(), "no statement of {speaker}: {rows:#?}");
        for (_, said, got, how) in theirs {
            assert_eq!(
                got.first().map(String::as_str),
                Some(want),
                "{speaker}: {said:?} → {got:?} by {how}"
            );
        }
    }
}

#[test]
fn a_minister_naming_another_capital_targets_that_country() {
    let text = "Valdorian officials met on Monday.\n\n\
        “We ask Washington to reconsider its tariffs,” Foreign Minister Ana Ruiz said.";
    let rows = targets(text, "2023-06-19");
    let r = rows.iter().find(|r| r.1.contains("tariffs")).unwrap();
    assert_eq!(
        (r.2.first().map(String::as_str), r.3),
        (Some("USA"), "words")
    );
}

#[test]
fn the_two_sides_in_an_article_about_china_and_the_united_states_is_the_other_side() {
    let text = "Chinese President Xi Jinping met US Secretary of State Antony Blinken in Beijing. \
        China and the United States have argued over trade, and China wants calm.\n\n\
        “The two sides made progress,” Xi said.";
    let rows = targets(text, "2023-06-19");
    let r = rows.iter().find(|r| r.1.contains("two sides")).unwrap();
    assert_eq!((r.2.clone(), r.3), (vec!["USA".to_string()], "pair"));
}

#[test]
fn words_without_a_country_take_the_listener_named_by_the_verb() {
    let text = "“This is very good,” Chinese President Xi Jinping told Antony Blinken.";
    let rows = targets(text, "2023-06-19");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].2.first().map(String::as_str), Some("USA"));
    assert_eq!(rows[0].3, "addressee");
}

// See: issue 20 ("held-out real news that we keep checks target accuracy"). Statements of
// Wikinews articles on international affairs whose targets we annotated ourselves
// (tests/fixtures/targets-wikinews.jsonl: article id, span, target; the text stays in
// ../shared). Measured 27 of 40 (0.675); the bar guards against regressions.
#[test]
fn annotated_wikinews_statements_keep_their_target_accuracy() {
    let path = Path::new("../shared/datasets/opennews/wikinews.jsonl");
    if !path.exists() {
        println!("skipped: ../shared/datasets/opennews/wikinews.jsonl not found");
        return;
    }
    let gold_path = Path::new("tests/fixtures/targets-wikinews.jsonl");
    let gold = tonetrack::target::eval::read_held_out(gold_path).unwrap();
    let (articles, _) = tonetrack::pipeline::read_articles_blocking(path, &Config::default());
    let processed: Vec<_> = articles.into_iter().map(|a| engine().process(a)).collect();
    let (report, mismatches) =
        tonetrack::target::eval::score_held_out(gold_path, &gold, &processed);
    assert_eq!(
        report.matched,
        gold.len(),
        "an annotated statement is no longer extracted"
    );
    let accuracy = report.accuracy.unwrap();
    assert!(accuracy >= 0.6, "accuracy {accuracy}: {mismatches:#?}");
}
