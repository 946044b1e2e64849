//! Speaker attribution: turns the mention an extractor found ("Chinese President Xi Jinping",
//! "he", "US officials", "the State Department") into a canonical speaker with role,
//! organisation and country, time-aware (a role counts only during its term). Every resolved
//! speaker says how it was resolved, so analysts can filter on confidence.

mod generated;
pub mod import;
pub mod names;
mod pronoun;
pub mod registry;
mod scan;

use chrono::NaiveDate;

use crate::grammar::Grammar;
use crate::rule::Rule;
use crate::segment::{fold, is_capitalized, tokenize};
use crate::types::{Span, Speaker, Statement};
pub use registry::office_title;
pub use registry::{Actor, ActorKind, Gender, PlaceKind, Registry};

/// What we know about a speaker already seen in this article, for "he added" and carry-over.
#[derive(Debug, Clone)]
struct Seen {
    speaker: Speaker,
    /// male, female, or None when unknown.
    gender: Option<Gender>,
    kind: SeenKind,
    paragraph: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeenKind {
    Person,
    Organisation,
    Unnamed,
}

/// A person first named in the article and not in the registry.
#[derive(Debug, Clone)]
struct Introduced {
    at: usize,
    name: String,
    surname: String,
    country: Option<(String, String)>,
    role: Option<String>,
}

/// Resolves the speakers of one article, in reading order.
pub struct ArticleResolver<'a> {
    reg: &'a Registry,
    grammar: &'a Grammar,
    text: &'a str,
    date: NaiveDate,
    /// Registry actors named in the story text: (byte position, actor index).
    mentions: Vec<(usize, usize)>,
    introduced: Vec<Introduced>,
    history: Vec<Seen>,
    /// The country most of the article's actors and places belong to, when one clearly
    /// dominates: the fallback country of a named speaker the text gives no country for.
    article_country: Option<String>,
}

impl<'a> ArticleResolver<'a> {
    /// Builds the resolver from the words the extractor already cut (punctuation included; it
    /// is skipped, so it only breaks candidate sequences).
    pub fn new(
        reg: &'a Registry,
        grammar: &'a Grammar,
        text: &'a str,
        all: &[crate::segment::Token],
        all_folded: &crate::segment::Folded,
        date: NaiveDate,
    ) -> Self {
        let scan = scan::scan(reg, text, all, all_folded, date);
        let (mentions, article_country) = (scan.mentions, scan.article_country);
        ArticleResolver {
            reg,
            grammar,
            text,
            date,
            mentions,
            introduced: Vec::new(),
            history: Vec::new(),
            article_country,
        }
    }

    /// Resolves one statement's speaker and addressee. Call in reading order.
    pub fn resolve(&mut self, st: &Statement) -> (Speaker, Option<String>) {
        let addressee = st.addressee_mention.map(|a| self.resolve_addressee(a));
        let speaker = match (st.attribution, st.speaker_mention) {
            (Rule::Continuation | Rule::Paragraph, _) => match self.history.last() {
                Some(prev) => Speaker {
                    resolution: st.attribution.to_string(),
                    ..prev.speaker.clone()
                },
                None => unresolved(),
            },
            (_, Some(mention)) => self
                .resolve_antecedent(mention, st.antecedent, st.paragraph)
                .unwrap_or_else(|| self.resolve_mention(mention, st.descriptor, st.paragraph)),
            (_, None) => unresolved(),
        };
        let mut speaker = speaker;
        if speaker.name.is_some() && speaker.country.is_none() {
            if let Some(c) = &self.article_country {
                speaker.country = Some(c.clone());
                speaker.country_resolution = "article:dominant".into();
            }
        }
        if speaker.name.is_some() || speaker.country.is_some() {
            let (gender, kind) = self.describe(&speaker);
            self.history.push(Seen {
                speaker: speaker.clone(),
                gender,
                kind,
                paragraph: st.paragraph,
            });
        }
        (speaker, addressee)
    }

    fn describe(&self, s: &Speaker) -> (Option<Gender>, SeenKind) {
        let Some(name) = &s.name else {
            return (None, SeenKind::Unnamed);
        };
        match self
            .reg
            .lookup(&registry::fold_surface(name))
            .map(|i| &self.reg.actors[i])
        {
            Some(a) if a.kind == ActorKind::Person => (a.gender, SeenKind::Person),
            Some(_) => (None, SeenKind::Organisation),
            None => (None, SeenKind::Person),
        }
    }

    fn words(&self, span: Span) -> Vec<(Span, String)> {
        tokenize(self.text, span)
            .into_iter()
            .filter(|t| t.is_word())
            .map(|t| (t.span, fold(t.text(self.text))))
            .collect()
    }

    fn resolve_mention(
        &mut self,
        mention: Span,
        descriptor: Option<Span>,
        paragraph: usize,
    ) -> Speaker {
        // "Sen. Chuck Schumer (D-N.Y.)": a parenthesis after the name is not part of it.
        let mention = match mention.slice(self.text).find('(') {
            Some(p) if p > 0 => Span::new(mention.start, mention.start + p),
            _ => mention,
        };
        let mut words = self.words(mention);
        while words
            .first()
            .is_some_and(|(_, w)| self.grammar.determiners.contains(w))
        {
            words.remove(0);
        }
        if words.is_empty() {
            return unresolved();
        }
        if words.len() == 1 {
            if let Some(kind) = self.grammar.pronouns.get(&words[0].1) {
                return self.resolve_pronoun(kind, paragraph, mention.start);
            }
        }
        // "Most Druze", "Many analysts": a collective, never a name; a place word in it
        // ("Many US officials") is its only country.
        if words.len() > 1 && self.reg.names.collective_openers.contains(&words[0].1) {
            let spans: Vec<Span> = words.iter().map(|(s, _)| *s).collect();
            let (country, country_resolution) = split_place(self.place_in(&spans, descriptor));
            return Speaker {
                resolution: "unnamed".into(),
                role: Some(mention.slice(self.text).to_string()),
                country,
                country_resolution,
                ..Speaker::default()
            };
        }
        // "a source close to the Clinton campaign", "a spokesman for Ana Ruiz": an unnamed
        // speaker described by a phrase after it. A name in that phrase is someone else (the
        // employer, the subject), so it only describes the speaker (and may give the country).
        let mut tail: Vec<Span> = Vec::new();
        // "a committee member who supports Ana Ruiz": a relative clause describes the speaker;
        // a name in it is someone else.
        if let Some(p) = words
            .iter()
            .position(|(_, w)| self.grammar.relatives_phrase_end.contains(w))
            .filter(|&p| p > 0)
        {
            tail = words.split_off(p).into_iter().map(|(s, _)| s).collect();
        }
        let link = words.iter().position(|(s, w)| {
            !is_capitalized(s.slice(self.text))
                && (self.grammar.resolver_links.contains(w)
                    || (self.grammar.prepositions.contains(w) && w != "of"))
        });
        if let Some(p) = link.filter(|&p| {
            p > 0
                && !words[..p]
                    .iter()
                    .any(|(s, _)| is_capitalized(s.slice(self.text)))
        }) {
            let mut rest: Vec<Span> = words.split_off(p).into_iter().map(|(s, _)| s).collect();
            rest.append(&mut tail);
            tail = rest;
        }
        // 1. The registry, on the longest suffix that names someone ("… Xi Jinping").
        for start in 0..words.len() {
            let key: Vec<&str> = words[start..].iter().map(|(_, w)| w.as_str()).collect();
            if let Some(idx) = self.reg.lookup(&key.join(" ")) {
                let how = if fold_eq(&self.reg.actors[idx].name, &key.join(" ")) {
                    "registry:name"
                } else {
                    "registry:alias"
                };
                return self.from_actor(idx, how);
            }
        }
        // 1b. A variant of a registry name: "Viktor Orban", "Kishida Fumio", "Josep Borrel".
        for start in 0..words.len().saturating_sub(1) {
            let key: Vec<&str> = words[start..].iter().map(|(_, w)| w.as_str()).collect();
            if let Some((idx, how)) = self.reg.lookup_variant(&key.join(" ")) {
                return self.from_actor(idx, how);
            }
        }
        // 2. A multiword surname of someone named in the article ("van der Hale").
        for start in 0..words.len().saturating_sub(1) {
            let key: Vec<&str> = words[start..].iter().map(|(_, w)| w.as_str()).collect();
            let key = key.join(" ");
            let named = self
                .mentions
                .iter()
                .filter(|(_, idx)| self.reg.folded_surname(*idx) == key)
                .min_by_key(|(pos, _)| pos.abs_diff(mention.start));
            if let Some((_, idx)) = named {
                return self.from_actor(*idx, "article:surname");
            }
        }
        // 3. Split the phrase into descriptor words (titles, places, collectives) and a name.
        let mut name_start = self.name_start(&words);
        // The name is the run of capitalised words after the titles; what follows it ("of
        // Valdoria", "of the Brookings Institution") describes the speaker.
        // A particle followed by a capitalised word continues it ("Staffan de Mistura").
        let run_end = |from: usize| {
            (from..words.len())
                .find(|&i| {
                    !is_capitalized(words[i].0.slice(self.text))
                        && !(i > from
                            && self.reg.names.particles.contains(&words[i].1)
                            && words
                                .get(i + 1)
                                .is_some_and(|(s, _)| is_capitalized(s.slice(self.text))))
                })
                .unwrap_or(words.len())
        };
        let mut name_end = run_end(name_start);
        // "Clinton spokesman Brian Fallon": a name, lowercase title words, then another name —
        // the first is the employer, the speaker is the last.
        loop {
            let mut next = name_end;
            let title_word = |w: &str| {
                self.grammar.np_words.contains(w)
                    && !self.grammar.prepositions.contains(w)
                    && !matches!(w, "of" | "for" | "and" | "the")
            };
            while next < words.len()
                && !is_capitalized(words[next].0.slice(self.text))
                && title_word(&words[next].1)
            {
                next += 1;
            }
            if next > name_end
                && next < words.len()
                && is_capitalized(words[next].0.slice(self.text))
            {
                name_start = next;
                name_end = run_end(next);
            } else {
                break;
            }
        }
        let descriptor_words: Vec<Span> = words[..name_start]
            .iter()
            .chain(&words[name_end..])
            .map(|(s, _)| *s)
            .chain(tail.iter().copied())
            .collect();
        let place = self.place_in(&descriptor_words, descriptor);
        let role_hint = self.role_hint(&words[..name_start], descriptor);
        if name_start < name_end {
            let name_span = Span::new(words[name_start].0.start, words[name_end - 1].0.end);
            let name = name_span.slice(self.text).to_string();
            if name_end - name_start == 1 {
                return self.resolve_surname(
                    &words[name_start].1,
                    &name,
                    mention.start,
                    place,
                    role_hint,
                );
            }
            return self.introduce(
                name,
                &words[name_end - 1].1,
                mention.start,
                place,
                role_hint,
            );
        }
        // 4. Unnamed: "US officials", "aides", "Beijing".
        let (country, country_resolution) = match place {
            Some((c, how)) => (Some(c), how),
            None => match self.context_country(paragraph) {
                Some(c) => (Some(c), "context".to_string()),
                None => (None, "unknown".to_string()),
            },
        };
        // 5. … unless the phrase is an office that one person of that country held on the
        // article's date: "the foreign minister", "Valdoria's president".
        // The country is the phrase's own, the recent speakers', or else that of the people the
        // article named before it, nearest first.
        if let Some(office) = self.office_words(&words) {
            let mut countries: Vec<String> = country.iter().cloned().collect();
            if country.is_none() {
                for (_, idx) in self
                    .mentions
                    .iter()
                    .rev()
                    .filter(|(pos, _)| *pos < mention.start)
                {
                    let c = self.reg.actors[*idx].country_on(self.date).to_string();
                    if !countries.contains(&c) {
                        countries.push(c);
                    }
                }
            }
            for c in &countries {
                let holders = self.reg.office_holders(c, &office, self.date);
                if let [only] = holders[..] {
                    return self.from_actor(only, "registry:role");
                }
            }
        }
        Speaker {
            name: None,
            resolution: "unnamed".into(),
            role: role_hint.or_else(|| Some(mention.slice(self.text).to_string())),
            organisation: None,
            country,
            country_resolution,
        }
    }

    /// The words of a mention that is nothing but an office ("the Valdorian foreign minister"
    /// → "foreign minister"): determiners, places and possessives dropped; None unless what is
    /// left is one of the grammar's titles.
    fn office_words(&self, words: &[(Span, String)]) -> Option<String> {
        let kept: Vec<&str> = words
            .iter()
            .map(|(_, w)| w.as_str())
            .filter(|w| !self.grammar.determiners.contains(*w))
            .filter(|w| self.reg.place(w.strip_suffix("'s").unwrap_or(w)).is_none())
            .collect();
        if kept.is_empty() {
            return None;
        }
        let office = office_title(&kept.join(" "));
        self.grammar
            .office_titles
            .contains(&office)
            .then_some(office)
    }

    /// Index of the first word of the name proper: everything before it is a title, a place
    /// word or a collective noun ("Chinese President | Xi Jinping", "US | officials").
    fn name_start(&self, words: &[(Span, String)]) -> usize {
        let mut i = 0;
        'outer: while i < words.len() {
            for title in self.grammar.titles_starting(&words[i].1) {
                if title.len() <= words.len() - i
                    && title.iter().zip(&words[i..]).all(|(t, (_, w))| t == w)
                {
                    i += title.len();
                    continue 'outer;
                }
            }
            let w = &words[i].1;
            let bare = w.strip_suffix("'s").unwrap_or(w);
            // The longest place name starting here ("Port Aurel", "Kestrel Islands") is skipped whole.
            let place_len = (1..=self.reg.max_place_words().min(words.len() - i))
                .rev()
                .find(|&n| {
                    let mut key: Vec<&str> =
                        words[i..i + n].iter().map(|(_, w)| w.as_str()).collect();
                    let last = key[n - 1].strip_suffix("'s").unwrap_or(key[n - 1]);
                    key[n - 1] = last;
                    self.reg.place(&key.join(" ")).is_some()
                });
            if let Some(n) = place_len {
                i += n;
                continue;
            }
            let raw = words[i].0.slice(self.text);
            let particle = self.reg.names.particles.contains(w.as_str())
                && words[i + 1..]
                    .first()
                    .is_some_and(|(s, _)| is_capitalized(s.slice(self.text)));
            if particle {
                break;
            }
            // A first word capitalised only because it opens the sentence ("Political analyst
            // David Bositis") is a descriptor when the article also writes it in lowercase.
            let sentence_case = i == 0 && self.written_in_lowercase(raw);
            if self.grammar.collective.contains(bare)
                || !is_capitalized(raw)
                || sentence_case
                || matches!(w.as_str(), "of" | "for" | "and")
            {
                i += 1;
                continue;
            }
            break;
        }
        i
    }

    /// The strongest place clue among descriptor words and the appositive.
    fn place_in(
        &self,
        descriptor_words: &[Span],
        appositive: Option<Span>,
    ) -> Option<(String, String)> {
        let mut spans: Vec<Span> = descriptor_words.to_vec();
        if let Some(a) = appositive {
            spans.extend(self.words(a).into_iter().map(|(s, _)| s));
        }
        let folded: Vec<String> = spans.iter().map(|s| fold(s.slice(self.text))).collect();
        let mut best: Option<(PlaceKind, usize, String)> = None;
        let mut i = 0;
        while i < folded.len() {
            let mut advance = 1;
            for n in (1..=self.reg.max_place_words().min(folded.len() - i)).rev() {
                let mut key: Vec<&str> = folded[i..i + n].iter().map(String::as_str).collect();
                let last = key[n - 1].strip_suffix("'s").unwrap_or(key[n - 1]);
                key[n - 1] = last;
                if let Some((code, kind)) = self.reg.place(&key.join(" ")) {
                    // A capital letter is required: "china" in lowercase is porcelain.
                    if !is_capitalized(spans[i].slice(self.text)) {
                        continue;
                    }
                    if best.as_ref().is_none_or(|(k, _, _)| *kind >= *k) {
                        best = Some((*kind, i, code.clone()));
                    }
                    // Words inside a longer place name are not places of their own
                    // ("Papua New Guinea" is not Guinea).
                    advance = n;
                    break;
                }
            }
            i += advance;
        }
        best.map(|(kind, _, code)| (code, format!("descriptor:{}", kind.as_str())))
    }

    fn role_hint(
        &self,
        descriptor_words: &[(Span, String)],
        appositive: Option<Span>,
    ) -> Option<String> {
        if let Some(a) = appositive {
            let s = a.slice(self.text).trim();
            let s = s
                .strip_prefix("a ")
                .or_else(|| s.strip_prefix("an "))
                .or_else(|| s.strip_prefix("the "))
                .unwrap_or(s);
            return Some(truncate_words(s, 120));
        }
        let titles: Vec<&str> = descriptor_words
            .iter()
            .filter(|(_, w)| {
                self.grammar.np_words.contains(w) || self.grammar.collective.contains(w)
            })
            .map(|(s, _)| s.slice(self.text))
            .collect();
        (!titles.is_empty()).then(|| titles.join(" "))
    }

    fn from_actor(&self, idx: usize, how: &str) -> Speaker {
        let a = &self.reg.actors[idx];
        let role = a.role_on(self.date);
        Speaker {
            name: Some(a.name.clone()),
            resolution: how.to_string(),
            role: role.map(|r| r.title.clone()),
            organisation: role
                .and_then(|r| r.org.clone())
                .or_else(|| a.organisation.clone()),
            country: Some(a.country_on(self.date).to_string()),
            country_resolution: "registry".into(),
        }
    }

    /// "Wang": the person with that surname named most recently before, else later in the
    /// article, else the only registry person of that surname in office on the article's date.
    fn resolve_surname(
        &mut self,
        surname: &str,
        written: &str,
        at: usize,
        place: Option<(String, String)>,
        role_hint: Option<String>,
    ) -> Speaker {
        // "Orban" for "Orbán", "Borrel" for "Borrell": only people this article named.
        let plain = names::strip_diacritics(surname);
        let same = |known: &str| {
            let known = names::strip_diacritics(known);
            known == plain || self.reg.names.fuzzy_match(&plain, &known)
        };
        let registry_hits = self.mentions.iter().filter(|(_, idx)| {
            let a = &self.reg.actors[*idx];
            a.kind == ActorKind::Person && same(self.reg.folded_surname(*idx))
        });
        let intro_hits = self
            .introduced
            .iter()
            .enumerate()
            .filter(|(_, p)| same(&fold(&p.surname)));
        enum Hit {
            Reg(usize),
            Intro(usize),
        }
        let mut candidates: Vec<(usize, Hit)> = registry_hits
            .map(|(pos, idx)| (*pos, Hit::Reg(*idx)))
            .collect();
        candidates.extend(intro_hits.map(|(i, p)| (p.at, Hit::Intro(i))));
        let before = candidates
            .iter()
            .filter(|(pos, _)| *pos < at)
            .max_by_key(|(pos, _)| *pos);
        let chosen = before.or_else(|| {
            candidates
                .iter()
                .filter(|(pos, _)| *pos > at)
                .min_by_key(|(pos, _)| *pos)
        });
        match chosen {
            Some((_, Hit::Reg(idx))) => return self.from_actor(*idx, "article:surname"),
            Some((_, Hit::Intro(i))) => {
                // "U.S. Attorney Bash" after a bare "Josh Bash": the title brings the country.
                let i = *i;
                if self.introduced[i].country.is_none() {
                    self.introduced[i].country = place;
                }
                return self.from_introduced(i, "article:surname");
            }
            None => {}
        }
        let in_office: Vec<usize> = self
            .reg
            .persons_with_surname(surname)
            .iter()
            .copied()
            .filter(|&i| self.reg.actors[i].role_on(self.date).is_some())
            .collect();
        if in_office.len() == 1 {
            return self.from_actor(in_office[0], "registry:surname");
        }
        if in_office.is_empty() && self.written_in_lowercase(written) {
            // "Nothing", "Hours", "Ask" opening a sentence: a word the article also writes in
            // lowercase is not a name.
            return Speaker {
                resolution: "unresolved:common-word".into(),
                country_resolution: "unknown".into(),
                ..Speaker::default()
            };
        }
        if in_office.is_empty() {
            if let Some((full, appositive)) = self.full_name_before(written, at) {
                let place = place.or_else(|| appositive.and_then(|a| self.place_in(&[], Some(a))));
                return self.introduce(full, surname, at, place, role_hint);
            }
        }
        let (country, country_resolution) = split_place(place);
        Speaker {
            name: Some(written.to_string()),
            resolution: if in_office.len() > 1 {
                "unresolved:ambiguous-surname"
            } else {
                "article:new"
            }
            .into(),
            role: role_hint,
            organisation: None,
            country,
            country_resolution,
        }
    }

    /// Whether the article also writes this word in lowercase, as a word of its own.
    fn written_in_lowercase(&self, word: &str) -> bool {
        let lower = word.to_lowercase();
        if lower == word {
            return false;
        }
        let bytes = self.text.as_bytes();
        self.text.match_indices(&lower).any(|(pos, m)| {
            let before_ok = pos == 0 || !(bytes[pos - 1] as char).is_alphanumeric();
            let end = pos + m.len();
            let after_ok = end >= bytes.len() || !(bytes[end] as char).is_alphanumeric();
            before_ok && after_ok
        })
    }

    /// The full name of a surname used alone, from where the article first wrote it out
    /// ("Pavel Orsk, a senior fellow at the Vesna Institute, …" before "Orsk said"), with the
    /// appositive after it, if any.
    fn full_name_before(&self, surname: &str, at: usize) -> Option<(String, Option<Span>)> {
        let before = &self.text[..at.min(self.text.len())];
        let mut search_end = before.len();
        while let Some(pos) = before[..search_end].rfind(surname) {
            search_end = pos;
            let after = pos + surname.len();
            let whole_word = before[after..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            let first = before[..pos]
                .strip_suffix(' ')
                .and_then(|b| b.rsplit(|c: char| !c.is_alphanumeric() && c != '-').next());
            let Some(first) =
                first.filter(|f| whole_word && is_capitalized(f) && f.chars().count() > 1)
            else {
                continue;
            };
            if self.grammar.determiners.contains(&fold(first))
                || self
                    .grammar
                    .titles
                    .iter()
                    .any(|t| t.len() == 1 && t[0] == fold(first))
            {
                continue;
            }
            let full = format!("{first} {surname}");
            let rest = &self.text[after..];
            let appositive = rest.strip_prefix(", ").and_then(|r| {
                let end = r.find([',', '.', ';', '\n']).filter(|&e| e <= 160)?;
                let start = after + 2;
                Some(Span::new(start, start + end))
            });
            return Some((full, appositive));
        }
        None
    }

    fn introduce(
        &mut self,
        name: String,
        surname: &str,
        at: usize,
        place: Option<(String, String)>,
        role: Option<String>,
    ) -> Speaker {
        if let Some(i) = self.introduced.iter().position(|p| fold_eq(&p.name, &name)) {
            if self.introduced[i].country.is_none() {
                self.introduced[i].country = place;
            }
            return self.from_introduced(i, "article:name");
        }
        let key = registry::fold_surface(&name);
        // A variant of a registry name the scan missed: "Josep Borrel" for Josep Borrell.
        if let Some((idx, how)) = self.reg.lookup_variant(&key) {
            return self.from_actor(idx, how);
        }
        let folded: Vec<&str> = key.split(' ').collect();
        // "de Mistura" after "Staffan de Mistura"; "Josep Borrel" after "Josep Borrell".
        let known = self.introduced.iter().position(|p| {
            let full = registry::fold_surface(&p.name);
            let plain = names::strip_diacritics(&full);
            (self.reg.names.particles.contains(folded[0]) && full.ends_with(&format!(" {key}")))
                || self
                    .reg
                    .names
                    .fuzzy_match(&names::strip_diacritics(&key), &plain)
                || plain == names::strip_diacritics(&key)
        });
        if let Some(i) = known {
            return self.from_introduced(i, "article:variant");
        }
        let surname = match self.reg.names.family_first_surname(&folded) {
            Some(first) => first,
            None if self.reg.names.particles.contains(folded[0]) => key.as_str(),
            None => surname,
        };
        self.introduced.push(Introduced {
            at,
            name,
            surname: surname.to_string(),
            country: place,
            role,
        });
        self.from_introduced(self.introduced.len() - 1, "article:new")
    }

    fn from_introduced(&self, i: usize, how: &str) -> Speaker {
        let p = &self.introduced[i];
        let (country, country_resolution) = split_place(p.country.clone());
        Speaker {
            name: Some(p.name.clone()),
            resolution: how.into(),
            role: p.role.clone(),
            organisation: None,
            country,
            country_resolution,
        }
    }

    fn resolve_addressee(&self, span: Span) -> String {
        let mut words = self.words(span);
        while words
            .first()
            .is_some_and(|(_, w)| self.grammar.determiners.contains(w))
        {
            words.remove(0);
        }
        for start in 0..words.len() {
            let key: Vec<&str> = words[start..].iter().map(|(_, w)| w.as_str()).collect();
            if let Some(idx) = self.reg.lookup(&key.join(" ")) {
                return self.reg.actors[idx].name.clone();
            }
        }
        if words.len() == 1 {
            let surname = &words[0].1;
            let hit = self
                .mentions
                .iter()
                .filter(|(pos, idx)| {
                    *pos < span.start && fold(self.reg.actors[*idx].surname()) == *surname
                })
                .max_by_key(|(pos, _)| *pos);
            if let Some((_, idx)) = hit {
                return self.reg.actors[*idx].name.clone();
            }
        }
        span.slice(self.text).to_string()
    }
}

fn unresolved() -> Speaker {
    Speaker {
        resolution: "none".into(),
        country_resolution: "unknown".into(),
        ..Speaker::default()
    }
}

fn split_place(place: Option<(String, String)>) -> (Option<String>, String) {
    match place {
        Some((c, how)) => (Some(c), how),
        None => (None, "unknown".into()),
    }
}

fn fold_eq(a: &str, b: &str) -> bool {
    registry::fold_surface(a) == registry::fold_surface(b)
}

fn truncate_words(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let cut: String = s.chars().take(max_chars).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => cut,
    }
}
