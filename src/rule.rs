//! The closed sets a [`Statement`](crate::types::Statement) carries about how it was found:
//! [`Rule`], the attribution pattern that named its speaker (the `attribution` column), and
//! [`Flag`], the oddities worth a look (the `flags` column).
//!
//! Both live below `quotes/` (which sets them) and `actors/` (which reads them), so neither
//! imports the other. Their names are the exact strings written to the tables and to
//! `models/speaker-ranker.toml`; [`Rule::from_str`] reads them back, so a typo in the ranker
//! file is an error with its file and line instead of a rule that never matches:
//!
//! ```text
//! use tonetrack::rule::Rule;
//! assert_eq!(Rule::AfterQuoteInverted.as_str(), "after-quote:inverted");
//! assert_eq!("after-quote:inverted".parse::<Rule>(), Ok(Rule::AfterQuoteInverted));
//! assert!("after-quote:inverterd".parse::<Rule>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// Declares a closed set of names: the enum, `ALL`, `as_str`, `FromStr`, `Display`, a `Debug`
/// that prints the name as a string literal (so a list reads as the files write it) and a
/// `Serialize` as that name.
macro_rules! named_set {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $s:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// Every name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($s,)+];

            /// The name written to the tables and model files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s,)+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err(UnknownName {
                        what: $what,
                        name: s.to_string(),
                        known: $name::NAMES,
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

/// A name that is no [`Rule`] or [`Flag`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is no {what} (known: {})", known.join(", "))]
pub struct UnknownName {
    /// "attribution rule" or "statement flag".
    pub what: &'static str,
    pub name: String,
    pub known: &'static [&'static str],
}

named_set! {
    /// How a statement's speaker was found: which attribution pattern of [`crate::quotes`]
    /// matched (or that the re-ranker overruled it). The `attribution` column.
    Rule, "attribution rule" {
        /// No attribution: the quote has no speaker.
        NotFound => "none",
        /// A quote broken by its attribution, or continuing its paragraph's quote ("“A,” she
        /// said. “B.”"): the speaker of the quote before.
        Paragraph => "paragraph",
        /// A quote opening the paragraph after a quote: its speaker carries over.
        Continuation => "continuation",
        /// A reporting verb before the quote with its subject ("Ruiz said: “…”").
        BeforeQuote => "before-quote",
        /// A reporting verb before the quote with no subject found.
        BeforeQuoteNoSubject => "before-quote:no-subject",
        /// A participle after a comma ("…, telling reporters “…”"): the main clause's subject.
        BeforeQuoteParticiple => "before-quote:participle",
        /// A verb phrase holding a nearer verb ("responded by saying “…”").
        BeforeQuoteCoordinated => "before-quote:coordinated",
        /// A verb opening the sentence, its subject after it ("Said Dora Penn, “…”").
        BeforeQuoteInverted => "before-quote:inverted",
        /// A verb sharing the main clause's subject ("… and told them they would “…”").
        BeforeQuoteMainClause => "before-quote:main-clause",
        /// An inner verb inside an outer reported clause ("Ruiz said he feels “…”").
        BeforeQuoteOuter => "before-quote:outer",
        /// Subject and verb after the quote ("“…,” Wu Xinbo said").
        AfterQuote => "after-quote",
        /// Verb and subject after the quote ("“…,” said Wu Xinbo").
        AfterQuoteInverted => "after-quote:inverted",
        /// A quote opening its sentence with a comma, then a subject and any verb ("“…,”
        /// Hannity started").
        AfterQuoteAnyVerb => "after-quote:any-verb",
        /// A name or clause and a colon ("Donald Trump: “…”").
        Colon => "colon",
        /// "according to X".
        AccordingTo => "according-to",
        /// The next sentence only attributes ("“…” Okafor said so on Monday.").
        NextSentence => "next-sentence",
        /// A dash and a name signing the quote paragraph ("— Ana Ruiz, Dayton.").
        DashByline => "dash-byline",
        /// "Trump said in a statement:" closing the paragraph before a quote paragraph.
        ColonBeforeParagraph => "colon-before-paragraph",
        /// No reporting verb: the subject of the quote's sentence ("He coined a phrase, “…”").
        SentenceSubject => "sentence-subject",
        /// The speaker of the sentence before ("Ruiz spoke on Monday. “…”").
        PreviousSentence => "previous-sentence",
        /// The last speaker of the quote's paragraph.
        ParagraphSpeaker => "paragraph-speaker",
        /// Reported speech: a cue and the clause it reports ("Ruiz said the talks failed").
        Reported => "reported",
        /// Reported content before its attribution ("The talks failed, Ruiz said.").
        ReportedAfterContent => "reported:after-content",
        /// A cue and its that-clause whose subject only the loose reading of the clause's
        /// opening words finds ("People with direct knowledge of the deal said that …"), or
        /// none (then the statement is unattributed).
        ReportedLooseSubject => "reported:loose-subject",
        /// Headline style: "Graham: Trump's rhetoric is …".
        HeadlineColon => "headline-colon",
        /// The speaker re-ranker chose another phrase than the rules.
        Ranked => "ranked",
        /// A transcript's speaker label ("PRESIDENT BIDEN:"): the turn's words are the
        /// labelled speaker's (src/transcript/).
        Turn => "turn",
    }
}

named_set! {
    /// Oddities of a statement worth a look. The `flags` column.
    Flag, "statement flag" {
        /// No speaker was found (or a reporting verb without a subject).
        Unattributed => "unattributed",
        /// A quote broken by its attribution, joined into one statement.
        SplitQuote => "split_quote",
        /// An opening mark where a closing one belongs, or the reverse.
        MismatchedQuoteMarks => "mismatched_quote_marks",
        /// A quote never closed.
        UnclosedQuote => "unclosed_quote",
        /// A quote running over several paragraphs.
        MultiParagraph => "multi_paragraph",
        /// Reported speech with a quotation inside it.
        ContainsQuote => "contains_quote",
        /// A quotation inside a transcript turn, attributed to whom the turn quotes.
        InTurn => "in_turn",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_and_flag_reads_back_from_its_name() {
        for r in Rule::ALL {
            assert_eq!(r.as_str().parse::<Rule>(), Ok(*r));
            assert_eq!(r.to_string(), r.as_str());
        }
        for f in Flag::ALL {
            assert_eq!(f.as_str().parse::<Flag>(), Ok(*f));
        }
        assert_eq!(Rule::ALL.len(), 27);
    }

    #[test]
    fn names_print_as_the_files_write_them() {
        let trusted = vec![Rule::AfterQuote, Rule::AfterQuoteInverted];
        assert_eq!(
            format!("{trusted:?}"),
            r#"["after-quote", "after-quote:inverted"]"#
        );
        assert_eq!(
            serde_json::to_string(&(Rule::NotFound, Flag::SplitQuote)).expect("serializes"),
            r#"["none","split_quote"]"#
        );
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_known_ones() {
        let err = "after_quote"
            .parse::<Rule>()
            .expect_err("not a rule")
            .to_string();
        assert!(
            err.starts_with("\"after_quote\" is no attribution rule"),
            "{err}"
        );
        assert!(err.contains("after-quote:inverted"), "{err}");
        let err = "split-quote"
            .parse::<Flag>()
            .expect_err("not a flag")
            .to_string();
        assert!(err.contains("split_quote"), "{err}");
    }
}
