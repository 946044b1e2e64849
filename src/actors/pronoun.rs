//! Pronouns and context: "he said" takes the last compatible speaker of the article (or, with
//! none, the nearest registry person named just before), and an unnamed speaker ("aides") takes
//! the country of the speaker just before. Split from the resolver (`mod.rs`) to keep it short.
//!
//! ```text
//! "Wi Sung-lac said … “…,” he added"   → he = Wi Sung-lac (KOR), resolution `pronoun`
//! ```

use super::{ActorKind, ArticleResolver, Gender, Seen, SeenKind};
use crate::segment::fold;
use crate::types::{Span, Speaker};

/// How far back (in bytes, about two short paragraphs) a pronoun with no earlier speaker may
/// reach for a person named in the text.
const PRONOUN_REACH_BYTES: usize = 600;

impl ArticleResolver<'_> {
    pub(super) fn resolve_pronoun(&self, kind: &str, paragraph: usize, at: usize) -> Speaker {
        let compatible = |s: &Seen| match kind {
            "male" => s.kind == SeenKind::Person && s.gender != Some(Gender::Female),
            "female" => s.kind == SeenKind::Person && s.gender != Some(Gender::Male),
            "organisation" => s.kind == SeenKind::Organisation,
            "plural" => s.kind != SeenKind::Person || s.paragraph + 1 >= paragraph,
            _ => true,
        };
        if let Some(s) = self.history.iter().rev().find(|s| compatible(s)) {
            return Speaker {
                resolution: "pronoun".into(),
                ..s.speaker.clone()
            };
        }
        // No earlier speaker fits: the nearest person of the registry named shortly before
        // ("Van der Hale, leaving the ministry, told reporters … “…,” he said").
        if let Some(gender) = match kind {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            _ => None,
        } {
            let nearest = self
                .mentions
                .iter()
                .rev()
                .filter(|(pos, _)| *pos < at && at - *pos <= PRONOUN_REACH_BYTES)
                .find(|(_, idx)| {
                    let a = &self.reg.actors[*idx];
                    a.kind == ActorKind::Person && a.gender.is_none_or(|g| g == gender)
                });
            if let Some((_, idx)) = nearest {
                return self.from_actor(*idx, "pronoun:mention");
            }
        }
        Speaker {
            resolution: "unresolved:pronoun".into(),
            country_resolution: "unknown".into(),
            ..Speaker::default()
        }
    }

    /// A pronoun whose antecedent the extractor read from the sentence ("Ban condemned what he
    /// called …" gives "Ban"): that person, when the antecedent resolves to a name and its
    /// known gender fits the pronoun; otherwise None and the pronoun is resolved as usual.
    pub(super) fn resolve_antecedent(
        &mut self,
        mention: Span,
        antecedent: Option<Span>,
        paragraph: usize,
    ) -> Option<Speaker> {
        let antecedent = antecedent?;
        let word = fold(mention.slice(self.text).trim());
        let kind = self.grammar.pronouns.get(&word)?.clone();
        let introduced = self.introduced.len();
        let speaker = self.resolve_mention(antecedent, None, paragraph);
        let (gender, seen) = self.describe(&speaker);
        // A person the registry or the article already knows, or a full name; a single word
        // first seen here may be a cut title ("Radio" of "Radio talk host …").
        let full_name = speaker
            .name
            .as_ref()
            .is_some_and(|n| n.split_whitespace().count() >= 2);
        let known = speaker.name.is_some() && (speaker.resolution != "article:new" || full_name);
        let fits = known
            && match kind.as_str() {
                "male" => seen == SeenKind::Person && gender != Some(Gender::Female),
                "female" => seen == SeenKind::Person && gender != Some(Gender::Male),
                "organisation" => seen == SeenKind::Organisation,
                _ => false,
            };
        if !fits {
            // Nobody was named: whoever the reading introduced is forgotten again.
            self.introduced.truncate(introduced);
            return None;
        }
        Some(Speaker {
            resolution: "pronoun:antecedent".into(),
            ..speaker
        })
    }

    /// The country of the speaker just before, for unnamed speakers such as "aides".
    pub(super) fn context_country(&self, paragraph: usize) -> Option<String> {
        self.history
            .iter()
            .rev()
            .take_while(|s| s.paragraph + 1 >= paragraph)
            .find_map(|s| s.speaker.country.clone())
    }
}
