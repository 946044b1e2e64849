//! End-to-end tests of `plot` and `summary` (see: issue 21): the binary generates a world of
//! many countries and visits (`synth --world`), runs it, draws it and prints it; the tests read
//! back what the charts decided (`charts/index.json`) and what `summary` printed.
#![cfg(all(feature = "tables", feature = "cli"))]

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

mod testutil;
use testutil::{bin, read_parquet, root, run_ok, strings, tempdir};

fn index(charts: &Path) -> Value {
    let text = std::fs::read_to_string(charts.join("index.json")).expect("charts/index.json");
    serde_json::from_str(&text).expect("index.json is JSON")
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or(&vec![])
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// Every file the index lists exists and is not empty, in PNG and SVG alike.
fn assert_files_exist(charts: &Path, idx: &Value) {
    for f in idx["files"].as_array().unwrap() {
        let path = charts.join(f[0].as_str().unwrap());
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(len > 0, "{} missing or empty", path.display());
    }
}

#[test]
fn a_world_of_34_countries_and_8_visits_gets_charts_and_a_summary_that_lead_with_each_visits_sides()
{
    let dir = tempdir();
    let world = dir.path().join("world");
    run_ok(
        bin()
            .args(["synth", "--quiet", "--articles", "400", "--world"])
            .arg(&world),
    );
    let out = dir.path().join("out");
    run_ok(
        bin()
            .args(["run", "--quiet", "--config"])
            .arg(world.join("tonetrack.toml"))
            .arg(world.join("articles.jsonl"))
            .arg("--out")
            .arg(&out),
    );
    let statements = read_parquet(&out, "statements.parquet");
    let countries: BTreeSet<String> = strings(&statements, "country")
        .into_iter()
        .flatten()
        .collect();
    assert!(
        countries.len() >= 30,
        "{} countries: {countries:?}",
        countries.len()
    );

    run_ok(bin().args(["plot", "--quiet", "--out"]).arg(&out));
    let charts = out.join("charts");
    let idx = index(&charts);
    assert_files_exist(&charts, &idx);
    // 112 days of news: daily points, so a visit's windows are many points, not one.
    assert_eq!(idx["period"], "day", "{}", idx["period_reason"]);
    assert!(charts.join("tone_by_country_day.png").exists());
    // Sixteen sides, eight colours: the busiest sides, the rest in the note.
    let visits = idx["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 8);
    let sides: BTreeSet<String> = visits
        .iter()
        .flat_map(|v| {
            [
                v["host"].as_str().unwrap().to_string(),
                v["visitor"].as_str().unwrap().to_string(),
            ]
        })
        .collect();
    let drawn = strs(&idx["series"]["drawn"]);
    assert_eq!(drawn.len(), 8, "{drawn:?}");
    assert!(
        drawn.iter().all(|c| sides.contains(c)),
        "{drawn:?} not all sides {sides:?}"
    );
    let left_out = idx["series"]["left_out"].as_u64().unwrap() as usize;
    assert_eq!(left_out, countries.len() - 8);
    assert_eq!(idx["legend"]["place"], "right");
    assert_eq!(idx["visits_chart"]["panels"], 8);
    assert_eq!(idx["visits_chart"]["columns"], 3);
    assert_eq!(idx["visits_chart"]["rows"], 3);
    for v in visits {
        let (host, visitor) = (v["host"].as_str().unwrap(), v["visitor"].as_str().unwrap());
        let labels = strs(&v["labels"]);
        assert_eq!(
            &labels[..2],
            [format!("{host} host"), format!("{visitor} visitor")],
            "{v}"
        );
        let others = v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["kind"] == "other")
            .count();
        assert!(others <= 4, "{v}");
        assert!(
            v["note"]
                .as_str()
                .is_some_and(|n| n.starts_with('+') && n.contains("countries")),
            "{v}"
        );
        let file = charts.join(v["file"].as_str().unwrap());
        assert!(
            file.exists() && file.with_extension("svg").exists(),
            "{}",
            file.display()
        );
    }
    assert!(std::fs::read_to_string(charts.join("index.html"))
        .unwrap()
        .contains("visits/01-"));

    let summary = run_ok(bin().arg("summary").arg(&out));
    let text = String::from_utf8(summary.stdout).unwrap();
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line:?}"
        );
    }
    for v in visits {
        let (name, host, visitor) = (
            v["name"].as_str().unwrap(),
            v["host"].as_str().unwrap(),
            v["visitor"].as_str().unwrap(),
        );
        let heading = format!("{name}: {visitor} visits {host}");
        let section = text
            .split(&heading)
            .nth(1)
            .unwrap_or_else(|| panic!("no {heading:?}:\n{text}"));
        // The heading's line, a blank line, the header, the rule, then the rows.
        let rows: Vec<&str> = section.lines().skip(4).take(2).collect();
        assert!(
            rows[0].starts_with(&format!("{host} host")),
            "{heading}: {rows:?}"
        );
        assert!(
            rows[1].starts_with(&format!("{visitor} visitor")),
            "{heading}: {rows:?}"
        );
        assert!(section.contains("statements not shown"), "{heading}");
    }

    // Asked for explicitly: those lines, in that order, weekly.
    run_ok(
        bin()
            .args([
                "plot",
                "--quiet",
                "--countries",
                "USA,CHN",
                "--period",
                "week",
                "--out",
            ])
            .arg(&out),
    );
    let idx = index(&charts);
    assert_eq!(strs(&idx["series"]["drawn"]), ["USA", "CHN"]);
    assert_eq!(idx["period"], "week");
    assert!(charts.join("tone_by_country_week.svg").exists());

    // A [plot] table with a key we do not know is refused with its file and line.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[plot]\nperiod = \"day\"\nlegend = \"left\"\n").unwrap();
    let o = bin()
        .args(["plot", "--quiet", "--config"])
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("bad.toml:3") && err.contains("unknown field"),
        "{err}"
    );
}

#[test]
fn the_sample_keeps_its_weekly_chart_of_three_countries_and_one_row_of_three_visits() {
    let root = root().join("notebooks-data");
    let dir = tempdir();
    let out = dir.path().join("out");
    run_ok(
        bin()
            .args(["run", "--quiet", "--config"])
            .arg(root.join("tonetrack.toml"))
            .arg(&root)
            .arg("--out")
            .arg(&out),
    );
    run_ok(bin().args(["plot", "--quiet", "--out"]).arg(&out));
    let charts = out.join("charts");
    let idx = index(&charts);
    assert_files_exist(&charts, &idx);
    for f in ["tone_by_country_week", "tone_by_country_rolling", "visits"] {
        for ext in ["png", "svg"] {
            assert!(charts.join(format!("{f}.{ext}")).exists(), "{f}.{ext}");
        }
    }
    assert_eq!(idx["period"], "week", "{}", idx["period_reason"]);
    assert_eq!(strs(&idx["series"]["drawn"]), ["XOS", "XVA", "XKE"]);
    assert_eq!(idx["series"]["left_out"], 0);
    assert_eq!(idx["visits_chart"]["rows"], 1);
    assert_eq!(idx["visits_chart"]["columns"], 3);
    assert_eq!(idx["legend"]["place"], "right");
}
