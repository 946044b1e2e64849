//! Reads the TABARI/PETRARCH actor dictionary format (the Phoenix dictionaries) into raw
//! entries, keeping the file and line of everything so that what the importer drops can be
//! reported precisely. Nothing here knows our registry; [`super::convert`] does the mapping.
//!
//! ```text
//! SAID_BARKAT_  # CountryInfo.txt         → entry "Said Barkat", line 1
//! +SAID_BARAKAT_                          → alias
//! 	[DZAGOVAGR 030101-080630]           → role DZAGOVAGR, 2003-01-01 to 2008-06-30
//! 	[DZAGOV >100701]                    → role DZAGOV, from 2010-07-01, no end
//! ```

use chrono::NaiveDate;

/// Six-digit years at or below this are 20YY, above it 19YY. The dictionaries were last edited
/// in 2014–2019: their six-digit years run 00–14 and 31–99 (measured: none in 15–30), so the
/// pivot separates the two centuries without a guess.
const CENTURY_PIVOT: u32 = 30;

/// One dated or undated `[CODE …]` of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRole {
    pub code: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// `<D`: held until D, start unknown.
    pub until_only: bool,
    pub line: usize,
}

/// One actor entry: its canonical name, aliases and role codes as written.
#[derive(Debug, Clone, Default)]
pub struct RawEntry {
    pub name: String,
    pub aliases: Vec<String>,
    pub roles: Vec<RawRole>,
    pub line: usize,
    /// The code stood on the name line itself (`AFGHANISTAN_ [AFG]`): in the countries file,
    /// that marks a country's own entry rather than a person's.
    pub code_on_name_line: bool,
}

/// Something in the file that could not be read, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub line: usize,
    pub what: String,
}

/// Splits one dictionary file into entries. Never fails: unreadable pieces become
/// [`Malformed`] items (the caller reports them with the file name).
pub fn parse(text: &str) -> (Vec<RawEntry>, Vec<Malformed>) {
    let mut entries: Vec<RawEntry> = Vec::new();
    let mut bad = Vec::new();
    for (i, raw_line) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw_line.split('#').next().unwrap_or_default();
        if content.trim().is_empty() {
            continue;
        }
        let (head, codes) = match content.find('[') {
            Some(p) => (&content[..p], &content[p..]),
            None => (content, ""),
        };
        let head = head.trim();
        let roles = parse_codes(codes, line, &mut bad);
        if let Some(alias) = head.strip_prefix('+') {
            match entries.last_mut() {
                Some(e) => {
                    let alias = clean_name(alias);
                    if !alias.is_empty() {
                        e.aliases.push(alias);
                    }
                    e.roles.extend(roles);
                }
                None => bad.push(Malformed {
                    line,
                    what: "alias before any entry".into(),
                }),
            }
        } else if head.is_empty() {
            match entries.last_mut() {
                Some(e) => e.roles.extend(roles),
                None => bad.push(Malformed {
                    line,
                    what: "role before any entry".into(),
                }),
            }
        } else {
            let name = clean_name(head);
            if name.is_empty() {
                bad.push(Malformed {
                    line,
                    what: format!("no name in {head:?}"),
                });
                continue;
            }
            entries.push(RawEntry {
                name,
                aliases: Vec::new(),
                code_on_name_line: !roles.is_empty(),
                roles,
                line,
            });
        }
    }
    (entries, bad)
}

/// `BAN_KI-MOON_` → `BAN KI-MOON`: underscores and runs of white space become one space.
fn clean_name(s: &str) -> String {
    s.replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads every `[CODE dates]` group of a line.
fn parse_codes(s: &str, line: usize, bad: &mut Vec<Malformed>) -> Vec<RawRole> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']') else {
            bad.push(Malformed {
                line,
                what: format!("unclosed code {:?}", rest[open..].trim()),
            });
            break;
        };
        let inner = rest[open + 1..open + close].trim();
        rest = &rest[open + close + 1..];
        match parse_role(inner, line) {
            Ok(Some(r)) => out.push(r),
            Ok(None) => {}
            Err(what) => bad.push(Malformed { line, what }),
        }
    }
    out
}

/// One code group; `Ok(None)` for the dictionaries' explicit placeholder `[---]`.
fn parse_role(inner: &str, line: usize) -> Result<Option<RawRole>, String> {
    if inner.chars().all(|c| c == '-') {
        return Ok(None);
    }
    let (code, dates) = match inner.find(char::is_whitespace) {
        Some(p) => (&inner[..p], inner[p..].trim()),
        None => (inner, ""),
    };
    if code.len() < 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("code {inner:?} is not upper-case letters"));
    }
    let mut role = RawRole {
        code: code.to_string(),
        from: None,
        to: None,
        until_only: false,
        line,
    };
    let dates: String = dates.chars().filter(|c| !c.is_whitespace()).collect();
    if dates.is_empty() {
        return Ok(Some(role));
    }
    let bad = |what: &str| format!("[{inner}]: {what}");
    if let Some(d) = dates.strip_prefix('>') {
        role.from = Some(parse_date(d).ok_or_else(|| bad("bad start date"))?);
    } else if let Some(d) = dates.strip_prefix('<') {
        role.to = Some(parse_date(d).ok_or_else(|| bad("bad end date"))?);
        role.until_only = true;
    } else if let Some((a, b)) = dates.split_once('-') {
        role.from = Some(parse_date(a).ok_or_else(|| bad("bad start date"))?);
        role.to = Some(parse_date(b).ok_or_else(|| bad("bad end date"))?);
    } else {
        return Err(bad("a date without '>', '<' or a range"));
    }
    Ok(Some(role))
}

/// YYMMDD (century by [`CENTURY_PIVOT`]) or YYYYMMDD; anything else is rejected.
pub fn parse_date(d: &str) -> Option<NaiveDate> {
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |s: &str| s.parse::<u32>().ok();
    let (year, rest) = match d.len() {
        6 => {
            let yy = num(&d[..2])?;
            let century = if yy <= CENTURY_PIVOT { 2000 } else { 1900 };
            (century + yy, &d[2..])
        }
        8 => (num(&d[..4])?, &d[4..]),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year as i32, num(&rest[..2])?, num(&rest[2..])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn names_aliases_and_dated_roles_are_read_with_their_lines() {
        let text = "# header\nSAID_BARKAT_  # CountryInfo.txt\n+SAID_BARAKAT_\n\t[DZAGOVAGR 030101-080630]\n\t[DZAGOV >100701]\n";
        let (entries, bad) = parse(text);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.name, "SAID BARKAT");
        assert_eq!(e.aliases, vec!["SAID BARAKAT"]);
        assert_eq!(e.line, 2);
        assert!(!e.code_on_name_line);
        assert_eq!(e.roles[0].code, "DZAGOVAGR");
        assert_eq!(e.roles[0].from, Some(d("2003-01-01")));
        assert_eq!(e.roles[0].to, Some(d("2008-06-30")));
        assert_eq!(e.roles[1].from, Some(d("2010-07-01")));
        assert_eq!(e.roles[1].to, None);
        assert_eq!(e.roles[1].line, 5);
    }

    #[test]
    fn six_digit_years_take_the_century_the_dictionaries_mean() {
        assert_eq!(parse_date("451024"), Some(d("1945-10-24")));
        assert_eq!(parse_date("090120"), Some(d("2009-01-20")));
        assert_eq!(parse_date("20070101"), Some(d("2007-01-01")));
        assert_eq!(parse_date("2004017"), None);
        assert_eq!(parse_date("090231"), None);
    }

    #[test]
    fn several_codes_on_a_name_line_and_open_ranges_are_read() {
        let (entries, bad) =
            parse("JOSEPH_LUNS_\t[IGOEUREEC 600701-601231][IGOWSTNAT 711001-840625]\nX_ [USA <061231] [---]\n");
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(entries[0].roles.len(), 2);
        assert!(entries[0].code_on_name_line);
        assert!(entries[1].roles[0].until_only);
        assert_eq!(entries[1].roles[0].to, Some(d("2006-12-31")));
    }

    #[test]
    fn a_malformed_date_is_reported_with_its_line_and_the_rest_is_kept() {
        let (entries, bad) =
            parse("BAN_KI-MOON\n\t[IGOUNO >20070101]\n\t[KORGOVBUS 2004017-20061201]\n");
        assert_eq!(entries[0].roles.len(), 1);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 3);
        assert!(bad[0].what.contains("bad start date"), "{:?}", bad[0]);
    }
}
