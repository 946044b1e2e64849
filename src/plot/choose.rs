//! What the charts and `summary` show, decided before anything is drawn: daily or weekly
//! points, which countries get a line, which groups each visit's bars show (its sides first),
//! how many panels in how many columns, where the legend goes and on which row each visit's
//! name sits. Pure functions of names, counts and pixel widths, so the decisions are tested
//! without a font or a backend, and `charts/index.json` records them for the reader.
//!
//! Example: 34 countries over two weeks with one visit, Israel's head of government in
//! Washington, gives `Period::Day` (14 days are too few for weekly points), the lines
//! `USA, ISR` then the four busiest other countries, and the note
//! "+28 countries, 212 statements not drawn".

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::config::PlotPeriod;

/// The time charts' resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
        }
    }
    /// The published table holding one row per country and period.
    pub fn table(self) -> &'static str {
        match self {
            Period::Day => "tone_by_country_day.parquet",
            Period::Week => "tone_by_country_week.parquet",
        }
    }
    /// The table's date column.
    pub fn date_column(self) -> &'static str {
        match self {
            Period::Day => "date",
            Period::Week => "week",
        }
    }
    /// The chart's file name without extension (CI checks `tone_by_country_week` on the sample).
    pub fn stem(self) -> &'static str {
        match self {
            Period::Day => "tone_by_country_day",
            Period::Week => "tone_by_country_week",
        }
    }
}

/// A visit as the decisions see it: its sides and its days (since 1970).
#[derive(Debug, Clone, PartialEq)]
pub struct VisitSpan {
    pub name: String,
    pub host: String,
    pub visitor: String,
    pub start: i32,
    pub end: i32,
    pub before_days: i32,
    pub after_days: i32,
}

impl VisitSpan {
    /// Days from the first of the "before" window to the last of the "after" window.
    pub fn window_days(&self) -> i32 {
        self.before_days + (self.end - self.start + 1) + self.after_days
    }
}

/// Longest span drawn with weekly points by default: 120 days give 17 weekly points, enough
/// for a line; over two weeks (the corpus the issue was filed on) a weekly line has 3 points
/// and a visit's days vanish in one of them.
pub const WEEKLY_FROM_DAYS: i32 = 120;
/// Fewest weekly points a visit's before-to-after window must cover for weekly resolution.
pub const MIN_WEEKLY_POINTS: i32 = 3;

/// Daily or weekly, and why (the reason goes into `charts/index.json`).
pub fn period(asked: PlotPeriod, first: i32, last: i32, visits: &[VisitSpan]) -> (Period, String) {
    match asked {
        PlotPeriod::Day => return (Period::Day, "asked for (--period or [plot] period)".into()),
        PlotPeriod::Week => return (Period::Week, "asked for (--period or [plot] period)".into()),
        PlotPeriod::Auto => {}
    }
    let span = last - first + 1;
    if span <= WEEKLY_FROM_DAYS {
        return (
            Period::Day,
            format!("the data span {span} days (weekly only above {WEEKLY_FROM_DAYS})"),
        );
    }
    if let Some(v) = visits
        .iter()
        .find(|v| v.window_days() < MIN_WEEKLY_POINTS * 7)
    {
        return (
            Period::Day,
            format!(
                "visit {:?} spans {} days with its windows: fewer than {MIN_WEEKLY_POINTS} weekly points",
                v.name,
                v.window_days()
            ),
        );
    }
    (
        Period::Week,
        format!(
            "the data span {span} days and every visit's windows cover {MIN_WEEKLY_POINTS}+ weeks"
        ),
    )
}

/// Most lines one time chart draws: eight colours a reader can still tell apart.
pub const MAX_SERIES: usize = 8;

/// The countries a time chart draws, and what it leaves out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SeriesChoice {
    pub drawn: Vec<String>,
    /// Countries asked for (`--countries`, `[plot] countries`) that have no statements.
    pub missing: Vec<String>,
    pub left_out: usize,
    pub left_out_statements: i64,
}

impl SeriesChoice {
    /// "+27 countries, 212 statements not drawn", when anything was left out.
    pub fn note(&self) -> Option<String> {
        left_out_note(self.left_out, self.left_out_statements, " not drawn")
    }
}

fn left_out_note(countries: usize, statements: i64, tail: &str) -> Option<String> {
    (countries > 0).then(|| {
        format!(
            "+{countries} {}, {statements} statement{}{tail}",
            if countries == 1 {
                "country"
            } else {
                "countries"
            },
            if statements == 1 { "" } else { "s" }
        )
    })
}

/// Countries ranked by statements, most first, ties by code (so the choice is reproducible).
fn ranked(totals: &BTreeMap<String, i64>) -> Vec<(&String, i64)> {
    let mut r: Vec<(&String, i64)> = totals
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(c, n)| (c, *n))
        .collect();
    r.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    r
}

/// The lines of a time chart. Asked-for countries win, in their order. Otherwise the visits'
/// hosts and visitors come first (the busiest ones when there are more than `max`), then up to
/// `others` of the busiest remaining countries. `totals`: statements per country.
pub fn series(
    totals: &BTreeMap<String, i64>,
    visits: &[VisitSpan],
    asked: &[String],
    others: usize,
    max: usize,
) -> SeriesChoice {
    let present = |c: &String| totals.get(c).is_some_and(|n| *n > 0);
    let mut drawn: Vec<String> = Vec::new();
    let mut missing = Vec::new();
    if !asked.is_empty() {
        for c in asked {
            if drawn.contains(c) || missing.contains(c) {
                continue;
            }
            if present(c) {
                drawn.push(c.clone());
            } else {
                missing.push(c.clone());
            }
        }
    } else {
        let sides: BTreeSet<&String> = visits.iter().flat_map(|v| [&v.host, &v.visitor]).collect();
        let side_rank: Vec<&String> = ranked(totals)
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| sides.contains(c))
            .collect();
        if side_rank.len() <= max {
            // In visit order, so the first visit's host and visitor get the first colours.
            for v in visits {
                for c in [&v.host, &v.visitor] {
                    if present(c) && !drawn.contains(c) {
                        drawn.push(c.clone());
                    }
                }
            }
        } else {
            drawn.extend(side_rank.into_iter().take(max).cloned());
        }
        let room = max.saturating_sub(drawn.len()).min(others);
        let extra: Vec<String> = ranked(totals)
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| !drawn.contains(c))
            .take(room)
            .cloned()
            .collect();
        drawn.extend(extra);
    }
    let rest: Vec<i64> = totals
        .iter()
        .filter(|(c, n)| **n > 0 && !drawn.contains(c))
        .map(|(_, n)| *n)
        .collect();
    SeriesChoice {
        drawn,
        missing,
        left_out: rest.len(),
        left_out_statements: rest.iter().sum(),
    }
}

/// What a group of bars in a visit's panel (or a row of `summary`) stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Host,
    Visitor,
    /// What the host's officials said to or about the visitor (from `visit_pairs.parquet`).
    HostToVisitor,
    /// What the visitor's officials said to or about the host.
    VisitorToHost,
    /// The country of a named participant that is neither host nor visitor.
    Participant,
    /// One of the busiest other countries.
    Other,
    /// Asked for by name (`--countries`, `[plot] countries`).
    Asked,
}

impl GroupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Host => "host",
            GroupKind::Visitor => "visitor",
            GroupKind::HostToVisitor => "host → visitor",
            GroupKind::VisitorToHost => "visitor → host",
            GroupKind::Participant => "participant",
            GroupKind::Other => "other",
            GroupKind::Asked => "asked for",
        }
    }
}

/// One group: a country, or a direction between the two sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The country code, or for a direction the country whose officials spoke.
    pub country: String,
    /// For a direction: the country spoken to or about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub towards: Option<String>,
    pub kind: GroupKind,
}

impl Group {
    fn of(country: &str, kind: GroupKind) -> Group {
        Group {
            country: country.to_string(),
            towards: None,
            kind,
        }
    }
    /// "XOS host", "XOS → XVA", "XKE": what a reader sees beside the bars.
    pub fn label(&self) -> String {
        match (&self.towards, self.kind) {
            (Some(t), _) => format!("{} → {t}", self.country),
            (None, GroupKind::Other | GroupKind::Asked) => self.country.clone(),
            (None, k) => format!("{} {}", self.country, k.as_str()),
        }
    }
}

/// A visit's groups in the order they are shown, and what is left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VisitGroups {
    pub groups: Vec<Group>,
    pub left_out: usize,
    pub left_out_statements: i64,
}

impl VisitGroups {
    /// "+27 countries, 212 statements", when anything was left out.
    pub fn note(&self) -> Option<String> {
        left_out_note(self.left_out, self.left_out_statements, "")
    }
}

/// What one visit's rows hold, for choosing its groups.
#[derive(Debug, Clone, Default)]
pub struct VisitCounts<'a> {
    pub host: &'a str,
    pub visitor: &'a str,
    /// Statements per country over the visit's three windows.
    pub countries: BTreeMap<String, i64>,
    /// Countries of the named participants who spoke.
    pub participant_countries: Vec<String>,
    /// Whether `visit_pairs.parquet` has the directed host ↔ visitor columns.
    pub directed: bool,
}

/// A visit's groups: host and visitor always (a silent side is news too), then the two
/// directions between them when the table has them, then the participants' other countries,
/// then up to `others` of the busiest remaining countries. Asked-for countries replace the
/// participants and the others (the sides keep their place when asked for).
pub fn visit_groups(v: &VisitCounts, asked: &[String], others: usize) -> VisitGroups {
    let mut groups: Vec<Group> = Vec::new();
    let has = |gs: &[Group], c: &str| gs.iter().any(|g| g.towards.is_none() && g.country == c);
    let sides_shown = asked.is_empty()
        || (asked.iter().any(|c| c == v.host) && asked.iter().any(|c| c == v.visitor));
    if asked.is_empty() {
        groups.push(Group::of(v.host, GroupKind::Host));
        if v.visitor != v.host {
            groups.push(Group::of(v.visitor, GroupKind::Visitor));
        }
    } else {
        for c in asked {
            if has(&groups, c) {
                continue;
            }
            let kind = if c == v.host {
                GroupKind::Host
            } else if c == v.visitor {
                GroupKind::Visitor
            } else {
                GroupKind::Asked
            };
            if matches!(kind, GroupKind::Host | GroupKind::Visitor)
                || v.countries.get(c).is_some_and(|n| *n > 0)
            {
                groups.push(Group::of(c, kind));
            }
        }
    }
    if v.directed && sides_shown {
        let at = groups
            .iter()
            .rposition(|g| matches!(g.kind, GroupKind::Host | GroupKind::Visitor))
            .map_or(0, |i| i + 1);
        let directions = [
            (v.host, v.visitor, GroupKind::HostToVisitor),
            (v.visitor, v.host, GroupKind::VisitorToHost),
        ];
        for (k, (from, to, kind)) in directions.into_iter().enumerate() {
            groups.insert(
                at + k,
                Group {
                    country: from.to_string(),
                    towards: Some(to.to_string()),
                    kind,
                },
            );
        }
    }
    if asked.is_empty() {
        for c in &v.participant_countries {
            if !has(&groups, c) && v.countries.get(c).is_some_and(|n| *n > 0) {
                groups.push(Group::of(c, GroupKind::Participant));
            }
        }
        let busiest: Vec<String> = ranked(&v.countries)
            .into_iter()
            .map(|(c, _)| c.clone())
            .filter(|c| !has(&groups, c))
            .take(others)
            .collect();
        for c in busiest {
            groups.push(Group::of(&c, GroupKind::Other));
        }
    }
    let rest: Vec<i64> = v
        .countries
        .iter()
        .filter(|(c, n)| **n > 0 && !has(&groups, c))
        .map(|(_, n)| *n)
        .collect();
    VisitGroups {
        groups,
        left_out: rest.len(),
        left_out_statements: rest.iter().sum(),
    }
}

/// Most panels side by side in `visits.png`: three at 1400 px leave each about 450 px, room
/// for a label column and bars.
pub const MAX_PANEL_COLUMNS: usize = 3;

/// How the overview chart of all visits is cut into panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PanelGrid {
    pub panels: usize,
    pub columns: usize,
    pub rows: usize,
}

/// One panel per visit, at most [`MAX_PANEL_COLUMNS`] to a row: three visits (the sample) stay
/// one row, a dozen become four rows of three.
pub fn panel_grid(visits: usize) -> PanelGrid {
    let columns = visits.clamp(1, MAX_PANEL_COLUMNS);
    PanelGrid {
        panels: visits,
        columns,
        rows: visits.div_ceil(columns).max(1),
    }
}

/// Pixel height of one group in a visit panel: three bars and the gap between groups.
pub const GROUP_PX: u32 = 52;
/// Pixel height of a panel's title, axis and margins around its groups.
pub const PANEL_FRAME_PX: u32 = 126;

/// A panel's height for `groups` groups (at least room for three, so panels of a row align).
pub fn panel_height(groups: usize) -> u32 {
    PANEL_FRAME_PX + GROUP_PX * groups.max(3) as u32
}

/// Where a time chart's legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LegendPlace {
    /// A column right of the plotting area.
    Right,
    /// Rows under the plotting area, `columns` entries to a row.
    Below,
}

/// A legend's placement and size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Legend {
    pub place: LegendPlace,
    pub width: u32,
    pub height: u32,
    pub columns: usize,
}

/// Pixel height of one legend entry.
pub const LEGEND_LINE_PX: u32 = 24;
/// Room of an entry beside its text: the swatch, its gap and the padding.
const LEGEND_SWATCH_PX: u32 = 44;

/// The legend never sits on the data: a column on the right when its widest entry takes at most
/// a quarter of the chart's width and its entries fit the height, otherwise rows underneath.
/// `label_px`: each entry's text width as measured with the chart's font.
pub fn legend(label_px: &[u32], chart_width: u32, chart_height: u32) -> Legend {
    let entry = label_px.iter().copied().max().unwrap_or(0) + LEGEND_SWATCH_PX;
    let n = label_px.len() as u32;
    let column_height = n * LEGEND_LINE_PX + 20;
    if entry <= chart_width / 4 && column_height <= chart_height.saturating_sub(120) {
        return Legend {
            place: LegendPlace::Right,
            width: entry + 16,
            height: column_height,
            columns: 1,
        };
    }
    let columns = (chart_width.saturating_sub(40) / entry.max(1)).clamp(1, n.max(1));
    let rows = n.div_ceil(columns);
    Legend {
        place: LegendPlace::Below,
        width: chart_width,
        height: rows * LEGEND_LINE_PX + 16,
        columns: columns as usize,
    }
}

/// The row (0 = top) of each visit's name above a time chart, so no name runs into another:
/// each goes on the first row whose last name ends `gap` pixels before it starts.
/// `spans`: each name's left edge and width in pixels, in drawing order.
pub fn label_rows(spans: &[(f64, f64)], gap: f64) -> Vec<usize> {
    let mut row_ends: Vec<f64> = Vec::new();
    spans
        .iter()
        .map(
            |(left, width)| match row_ends.iter().position(|end| *end + gap <= *left) {
                Some(r) => {
                    row_ends[r] = left + width;
                    r
                }
                None => {
                    row_ends.push(left + width);
                    row_ends.len() - 1
                }
            },
        )
        .collect()
}

/// `text` cut to `max` characters with an ellipsis, for fixed-width columns.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(name: &str, host: &str, visitor: &str, start: i32, around: i32) -> VisitSpan {
        VisitSpan {
            name: name.into(),
            host: host.into(),
            visitor: visitor.into(),
            start,
            end: start + 2,
            before_days: around,
            after_days: around,
        }
    }

    fn totals(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(c, n)| (c.to_string(), *n)).collect()
    }

    fn codes(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                format!(
                    "X{}{}",
                    (b'A' + (i / 26) as u8) as char,
                    (b'A' + (i % 26) as u8) as char
                )
            })
            .collect()
    }

    #[test]
    fn two_weeks_of_data_are_drawn_day_by_day_and_half_a_year_week_by_week() {
        let short = [visit("Washington", "USA", "ISR", 20_000, 7)];
        assert_eq!(
            period(PlotPeriod::Auto, 19_993, 20_006, &short).0,
            Period::Day
        );
        let sample = [visit("Tolsen to Vesna", "XOS", "XVA", 20_129, 30)];
        let (p, why) = period(PlotPeriod::Auto, 20_089, 20_270, &sample);
        assert_eq!(p, Period::Week, "{why}");
        // A long corpus whose visit has windows of three days each would show that visit as
        // one or two weekly points: daily instead.
        let narrow = [visit("Short trip", "USA", "JPN", 20_100, 3)];
        let (p, why) = period(PlotPeriod::Auto, 19_900, 20_300, &narrow);
        assert_eq!(p, Period::Day);
        assert!(why.contains("Short trip"), "{why}");
        assert_eq!(period(PlotPeriod::Week, 0, 10, &short).0, Period::Week);
        assert_eq!(period(PlotPeriod::Day, 0, 1000, &sample).0, Period::Day);
    }

    #[test]
    fn the_visit_sides_lead_the_lines_and_a_handful_of_busy_countries_follow() {
        let mut t = totals(&[("USA", 50), ("ISR", 30), ("CHN", 80), ("RUS", 20)]);
        for (i, c) in codes(30).into_iter().enumerate() {
            t.insert(c, 1 + i as i64 % 4);
        }
        let visits = [visit("Washington", "USA", "ISR", 20_000, 7)];
        let s = series(&t, &visits, &[], 4, MAX_SERIES);
        assert_eq!(&s.drawn[..2], ["USA", "ISR"]);
        assert_eq!(&s.drawn[2..4], ["CHN", "RUS"]);
        assert_eq!(s.drawn.len(), 6);
        assert_eq!(s.left_out, 34 - 6);
        let drawn_n: i64 = s.drawn.iter().map(|c| t[c]).sum();
        assert_eq!(s.left_out_statements, t.values().sum::<i64>() - drawn_n);
        assert!(
            s.note().unwrap().starts_with("+28 countries, "),
            "{:?}",
            s.note()
        );
    }

    #[test]
    fn more_sides_than_colours_keeps_the_busiest_sides_only() {
        let cs = codes(24);
        let t: BTreeMap<String, i64> = cs
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), 100 - i as i64))
            .collect();
        let visits: Vec<VisitSpan> = (0..12)
            .map(|i| {
                visit(
                    &format!("v{i}"),
                    &cs[2 * i],
                    &cs[2 * i + 1],
                    20_000 + 40 * i as i32,
                    14,
                )
            })
            .collect();
        let s = series(&t, &visits, &[], 4, MAX_SERIES);
        assert_eq!(s.drawn, cs[..MAX_SERIES].to_vec());
        assert_eq!(s.left_out, 24 - MAX_SERIES);
    }

    #[test]
    fn asked_for_countries_are_drawn_in_their_order_and_absent_ones_are_reported() {
        let t = totals(&[("USA", 50), ("ISR", 30), ("CHN", 80)]);
        let asked = ["ISR".to_string(), "NOR".into(), "USA".into(), "ISR".into()];
        let s = series(&t, &[], &asked, 4, MAX_SERIES);
        assert_eq!(s.drawn, ["ISR", "USA"]);
        assert_eq!(s.missing, ["NOR"]);
        assert_eq!((s.left_out, s.left_out_statements), (1, 80));
        assert_eq!(
            s.note().as_deref(),
            Some("+1 country, 80 statements not drawn")
        );
    }

    #[test]
    fn the_sample_keeps_all_three_countries() {
        let t = totals(&[("XVA", 120), ("XOS", 100), ("XKE", 40)]);
        let visits = [
            visit("Tolsen to Vesna", "XOS", "XVA", 20_129, 30),
            visit("Kestrel summit", "XKE", "XVA", 20_255, 30),
        ];
        let s = series(&t, &visits, &[], 4, MAX_SERIES);
        assert_eq!(s.drawn, ["XOS", "XVA", "XKE"]);
        assert_eq!(s.note(), None);
    }

    fn counts<'a>(host: &'a str, visitor: &'a str, rows: &[(&str, i64)]) -> VisitCounts<'a> {
        VisitCounts {
            host,
            visitor,
            countries: totals(rows),
            participant_countries: vec![],
            directed: false,
        }
    }

    #[test]
    fn a_visit_shows_host_visitor_directions_participants_then_the_busiest_others() {
        let mut rows: Vec<(String, i64)> = codes(30).into_iter().map(|c| (c, 2)).collect();
        rows.extend([
            ("USA".into(), 40),
            ("ISR".into(), 25),
            ("CHN".into(), 9),
            ("IRN".into(), 7),
        ]);
        let rows: Vec<(&str, i64)> = rows.iter().map(|(c, n)| (c.as_str(), *n)).collect();
        let mut v = counts("USA", "ISR", &rows);
        v.participant_countries = vec!["IRN".into(), "USA".into()];
        v.directed = true;
        let g = visit_groups(&v, &[], 2);
        let labels: Vec<String> = g.groups.iter().map(Group::label).collect();
        assert_eq!(
            labels,
            [
                "USA host",
                "ISR visitor",
                "USA → ISR",
                "ISR → USA",
                "IRN participant",
                "CHN",
                "XAA"
            ]
        );
        assert_eq!(g.left_out, 29);
        assert_eq!(g.note().as_deref(), Some("+29 countries, 58 statements"));
    }

    #[test]
    fn a_silent_side_keeps_its_place_and_without_directed_columns_there_are_no_directions() {
        let v = counts("XKE", "XVA", &[("XVA", 12), ("XOS", 9)]);
        let g = visit_groups(&v, &[], 4);
        let kinds: Vec<GroupKind> = g.groups.iter().map(|g| g.kind).collect();
        assert_eq!(
            kinds,
            [GroupKind::Host, GroupKind::Visitor, GroupKind::Other]
        );
        assert_eq!(g.note(), None);
    }

    #[test]
    fn asked_for_countries_replace_the_others_and_keep_the_sides_labelled() {
        let mut v = counts(
            "USA",
            "ISR",
            &[("USA", 40), ("ISR", 25), ("CHN", 9), ("FRA", 3)],
        );
        v.directed = true;
        let asked = ["FRA".to_string(), "USA".into()];
        let g = visit_groups(&v, &asked, 4);
        let labels: Vec<String> = g.groups.iter().map(Group::label).collect();
        // Only one side asked for: no directions, which need both.
        assert_eq!(labels, ["FRA", "USA host"]);
        assert_eq!((g.left_out, g.left_out_statements), (2, 34));
        let both = ["ISR".to_string(), "USA".into()];
        let labels: Vec<String> = visit_groups(&v, &both, 4)
            .groups
            .iter()
            .map(Group::label)
            .collect();
        assert_eq!(
            labels,
            ["ISR visitor", "USA host", "USA → ISR", "ISR → USA"]
        );
    }

    #[test]
    fn panels_go_three_to_a_row_and_grow_with_their_groups() {
        assert_eq!(
            panel_grid(3),
            PanelGrid {
                panels: 3,
                columns: 3,
                rows: 1
            }
        );
        assert_eq!(
            panel_grid(1),
            PanelGrid {
                panels: 1,
                columns: 1,
                rows: 1
            }
        );
        assert_eq!(
            panel_grid(6),
            PanelGrid {
                panels: 6,
                columns: 3,
                rows: 2
            }
        );
        assert_eq!(panel_grid(12).rows, 4);
        assert!(panel_height(9) > panel_height(3));
        assert_eq!(panel_height(1), panel_height(3));
    }

    #[test]
    fn the_legend_is_a_column_beside_the_chart_unless_too_wide_or_too_long() {
        let l = legend(&[40, 60, 250], 1400, 760);
        assert_eq!(l.place, LegendPlace::Right);
        assert_eq!(l.width, 250 + LEGEND_SWATCH_PX + 16);
        let many = vec![60; 40];
        let l = legend(&many, 1400, 760);
        assert_eq!(l.place, LegendPlace::Below);
        assert_eq!(l.columns, (1400 - 40) / (60 + LEGEND_SWATCH_PX as usize));
        let wide = legend(&[500], 1400, 760);
        assert_eq!((wide.place, wide.columns), (LegendPlace::Below, 1));
    }

    #[test]
    fn visit_names_that_would_touch_go_on_another_row() {
        // Three names: the second starts inside the first; the third clears the first.
        let rows = label_rows(
            &[(0.0, 200.0), (150.0, 100.0), (210.0, 50.0), (160.0, 30.0)],
            8.0,
        );
        assert_eq!(rows, [0, 1, 0, 2]);
        assert!(label_rows(&[], 8.0).is_empty());
    }

    #[test]
    fn long_names_are_clipped_with_an_ellipsis() {
        assert_eq!(clip("Ostrian President to Port Aurel", 10), "Ostrian P…");
        assert_eq!(clip("XOS host", 10), "XOS host");
    }
}
