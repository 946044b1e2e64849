//! A fast reader for the registry files `tonetrack actors import` writes (`generated = true`),
//! so that the 23,000 imported actors do not slow every run down: the general TOML parser took
//! most of the registry's load time on the 4.9 MB file, this line reader a fraction of it (see
//! the README's measurements). It understands exactly the layout `import::render` writes; on any
//! other line it gives up and the caller parses the file as ordinary TOML, so a hand-edited
//! file is still read correctly, only more slowly.
//!
//! ```text
//! [[actor]]
//! id = "phoenix-said-barkat"
//! name = "Said Barkat"
//! kind = "person"
//! country = "DZA"
//! roles = [
//!   { title = "government", country = "DZA", from = 2010-07-01 },
//! ]
//! ```

use chrono::NaiveDate;

use super::registry::{Actor, ActorKind, Role};
use crate::error::Result;
use crate::models::ModelFile;

/// The actors of a generated file with the byte offset of each `[[actor]]`, or `None` when the
/// file is not in the generated layout (read it as TOML then). A bad value inside the layout
/// (an impossible date) is an error naming the line.
pub fn read(file: &ModelFile) -> Option<Result<Vec<(usize, Actor)>>> {
    let mut actors: Vec<(usize, Actor)> = Vec::new();
    let mut header = (false, false);
    let mut in_roles = false;
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let l = line.trim_end();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if in_roles {
            if l == "]" {
                in_roles = false;
                continue;
            }
            let role = match role_line(l) {
                Some(Ok(r)) => r,
                Some(Err(what)) => return Some(Err(file.error_at(at, what))),
                None => return None,
            };
            actors.last_mut()?.1.roles.push(role);
            continue;
        }
        if l == "[[actor]]" {
            actors.push((at, empty_actor()));
            continue;
        }
        let (key, value) = key_value(l)?;
        let Some((_, actor)) = actors.last_mut() else {
            match (key, value) {
                ("schema_version", "1") => header.0 = true,
                ("generated", "true") => header.1 = true,
                _ => return None,
            }
            continue;
        };
        match key {
            "id" => actor.id = string(value)?,
            "name" => actor.name = string(value)?,
            "kind" => {
                actor.kind = match string(value)?.as_str() {
                    "person" => ActorKind::Person,
                    "organisation" => ActorKind::Organisation,
                    "media" => ActorKind::Media,
                    _ => return None,
                }
            }
            "country" => actor.country = string(value)?,
            "surname" => actor.surname = Some(string(value)?),
            "aliases" => actor.aliases = string_list(value)?,
            "roles" if value == "[" => in_roles = true,
            _ => return None,
        }
    }
    if header != (true, true) || in_roles {
        return None;
    }
    // Every actor needs the four keys the layout always writes.
    if actors
        .iter()
        .any(|(_, a)| a.id.is_empty() || a.name.is_empty() || a.country.is_empty())
    {
        return None;
    }
    for (_, a) in &mut actors {
        a.generated = true;
    }
    Some(Ok(actors))
}

fn empty_actor() -> Actor {
    Actor {
        id: String::new(),
        name: String::new(),
        kind: ActorKind::Person,
        country: String::new(),
        gender: None,
        surname: None,
        organisation: None,
        aliases: Vec::new(),
        roles: Vec::new(),
        generated: true,
    }
}

/// `  { title = "…", org = "…", country = "…", from = 2010-07-01, to = 2012-01-01 },`
/// `None`: not the layout; `Some(Err)`: the layout with a bad date.
fn role_line(l: &str) -> Option<std::result::Result<Role, String>> {
    let inner = l.trim().strip_prefix("{ ")?.strip_suffix(" },")?;
    let mut role = Role {
        title: String::new(),
        org: None,
        from: NaiveDate::MIN,
        to: None,
        country: None,
    };
    let mut rest = inner;
    let mut seen_from = false;
    while !rest.is_empty() {
        let (key, after) = key_value(rest)?;
        let (value, next) = if after.starts_with('"') {
            let end = string_end(after)?;
            (
                &after[..end],
                after[end..].strip_prefix(", ").unwrap_or(&after[end..]),
            )
        } else {
            match after.find(',') {
                Some(p) => (&after[..p], after[p + 1..].trim_start()),
                None => (after, ""),
            }
        };
        match key {
            "title" => role.title = string(value)?,
            "org" => role.org = Some(string(value)?),
            "country" => role.country = Some(string(value)?),
            "from" | "to" => {
                let Some(d) = date(value) else {
                    return Some(Err(format!("{value:?} is not a date like 2024-05-01")));
                };
                if key == "from" {
                    role.from = d;
                    seen_from = true;
                } else {
                    role.to = Some(d);
                }
            }
            _ => return None,
        }
        rest = next;
    }
    (seen_from && !role.title.is_empty()).then_some(Ok(role))
}

/// `key = value`: split at the first `=` (a char search: a string pattern per line was a
/// tenth of the reader's time).
fn key_value(l: &str) -> Option<(&str, &str)> {
    let p = l.find('=')?;
    Some((l[..p].strip_suffix(' ')?, l[p + 1..].strip_prefix(' ')?))
}

/// `2024-05-01`, read by hand (chrono's format parser was a tenth of the reader's time).
fn date(v: &str) -> Option<NaiveDate> {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| v.get(r)?.parse::<u32>().ok();
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// Byte index just past the closing quote of the string that opens `s`.
fn string_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// A TOML basic string as `render` writes it (escapes: `\"`, `\\`, `\uXXXX`).
fn string(v: &str) -> Option<String> {
    let inner = v.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return (!inner.contains('"')).then(|| inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// `["a", "b"]`.
fn string_list(v: &str) -> Option<Vec<String>> {
    let mut rest = v.strip_prefix('[')?.strip_suffix(']')?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let end = string_end(rest)?;
        out.push(string(&rest[..end])?);
        rest = rest[end..].strip_prefix(", ").unwrap_or(&rest[end..]);
        if !rest.is_empty() && !rest.starts_with('"') {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# header\nschema_version = 1\ngenerated = true\n\n[[actor]]\nid = \"p-a\"\nname = \"O'Neill \\\"Tip\\\" Said\"\nkind = \"person\"\ncountry = \"DZA\"\nsurname = \"Said\"\naliases = [\"A, B\", \"C\"]\nroles = [\n  { title = \"government (agriculture)\", org = \"United Nations\", country = \"UNO\", from = 2003-01-01, to = 2008-06-30 },\n  { title = \"government\", country = \"DZA\", from = 2010-07-01 },\n]\n\n[[actor]]\nid = \"p-b\"\nname = \"B Group\"\nkind = \"organisation\"\ncountry = \"DZA\"\n";

    #[test]
    fn the_generated_layout_is_read_without_the_toml_parser() {
        let actors = read(&ModelFile::from_text("g.toml", FILE))
            .unwrap()
            .unwrap();
        assert_eq!(actors.len(), 2);
        let a = &actors[0].1;
        assert_eq!(a.name, "O'Neill \"Tip\" Said");
        assert_eq!(a.aliases, vec!["A, B", "C"]);
        assert_eq!(a.surname.as_deref(), Some("Said"));
        assert_eq!(a.roles.len(), 2);
        assert_eq!(a.roles[0].org.as_deref(), Some("United Nations"));
        assert_eq!(a.roles[0].country.as_deref(), Some("UNO"));
        assert_eq!(a.roles[1].to, None);
        assert!(a.generated);
        assert_eq!(actors[1].1.kind, ActorKind::Organisation);
        assert_eq!(&FILE[actors[1].0..actors[1].0 + 9], "[[actor]]");
    }

    #[test]
    fn the_fast_reader_and_the_toml_parser_agree_on_the_shipped_registry() {
        let shipped = crate::models::ModelSource::default()
            .load(crate::models::IMPORTED_ACTOR_FILE)
            .unwrap();
        let fast = read(&shipped)
            .expect("shipped file is in the generated layout")
            .unwrap();
        #[derive(serde::Deserialize)]
        struct File {
            #[serde(rename = "actor", default)]
            actors: Vec<Actor>,
        }
        let slow: File = toml::from_str(&shipped.text).unwrap();
        assert_eq!(fast.len(), slow.actors.len());
        for ((_, f), s) in fast.iter().zip(&slow.actors) {
            assert_eq!(
                (&f.id, &f.name, &f.country, &f.surname, &f.aliases),
                (&s.id, &s.name, &s.country, &s.surname, &s.aliases)
            );
            assert_eq!(f.kind, s.kind);
            let roles = |a: &Actor| {
                a.roles
                    .iter()
                    .map(|r| {
                        (
                            r.title.clone(),
                            r.org.clone(),
                            r.country.clone(),
                            r.from,
                            r.to,
                        )
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(roles(f), roles(s), "{}", f.id);
        }
    }

    #[test]
    fn another_layout_falls_back_to_toml_and_a_bad_date_names_its_line() {
        let edited = FILE.replace("kind = \"organisation\"", "kind = 'organisation'");
        assert!(read(&ModelFile::from_text("g.toml", edited)).is_none());
        let bad = FILE.replace("2010-07-01", "2010-13-01");
        let err = read(&ModelFile::from_text("g.toml", bad))
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().starts_with("g.toml:14:"), "{err}");
    }
}
