"""Measures how transcripts' labelled turns become statements (issue 19).

Gold comes from the documents themselves, not from tonetrack: every paragraph that starts with
an upper-case speaker label ("PRESIDENT BIDEN:", "MS. JEAN-PIERRE:", "FOREIGN MINISTER
KULEBA:") opens a turn that runs to the next label. A turn is by a *named official* when its
label ends in a name (not "Q", "MODERATOR", "PARTICIPANT" …) or is an office whose holder is a
dated fact ("THE PRESIDENT" in a White House or State Department document of 2021-2023 is Joe
Biden). The gold person is the label's name words (one letter's difference allowed in names of
five letters or more: "Zelenskyy" / "Zelensky"); the gold country is the one the title writes
beside that name ("… Prime Minister Kishida Fumio of Japan", "Ukrainian Foreign Minister
Dmytro Kuleba"), else the publisher's (USA for the White House and the State Department). That
fallback is wrong for a foreign leader the title names without a country ("Prime Minister
Albanese" at a Quad summit), so the report splits the verdicts by where the gold country came
from (`by_gold_country_source`): check the `publisher` disagreements by eye (--mismatches).

A turn is right when tonetrack made at least one `turn` statement inside it and every one of
them names a speaker whose name contains the label's name words, with the gold country.
Also counted: statements whose speaker is a pronoun phrase ("And I", "I’m"), which must be none.

Usage:
  python3 scripts/eval_transcripts.py FILE.jsonl [--bin PATH] [--sample N] [--mismatches N]
The binary defaults to $CARGO_TARGET_DIR/release/tonetrack.
"""
import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A speaker label: upper-case words and the marks names use, then a colon and a blank.
LABEL = re.compile(r"^([^\W\d_][^\W\d_ .,'\u2019\-]*(?:[ .,'\u2019\-]+[^\W\d_]+)*\.?):(\s|$)")
QUESTION = re.compile(r"^Q(:|\s|$)")
# Labels that name no one: reporters, moderators, participants, anonymous officials.
UNNAMED = re.compile(
    r"\b(MODERATOR|OPERATOR|PARTICIPANT|PARTICIPANTS|OFFICIAL|OFFICIALS|MEMBER|MEMBERS|INTERPRETER"
    r"|AUDIENCE|CROWD|STAFF|AIDE|VOICE|VOICES|ANNOUNCER|NARRATOR|STUDENT|STUDENTS|REPORTER|REPORTERS"
    r"|QUESTION|ATTENDEE|ATTENDEES|MC|SPOKESPERSON)$"
)
# Fields of notices and forms ("VESSEL TYPE:"), not speakers.
NOT_PERSON = re.compile(r"^(VESSEL|AIRCRAFT|NAME|TYPE|FLAG|DATE|NATIONALITY|PASSPORT|IMO|CALL SIGN|ADDRESS|ALIAS)\b")
# Words of a label that are a courtesy or an office, not a name.
TITLE = set(
    """MR MS MRS MISS DR SIR DAME PRESIDENT VICE PRIME MINISTER SECRETARY ADMIRAL GENERAL
    AMBASSADOR FOREIGN CHANCELLOR KING QUEEN CROWN PRINCE PRINCESS FIRST LADY SENATOR GOVERNOR
    DEPUTY NATIONAL SECURITY ADVISOR ADVISER COORDINATOR DIRECTOR SPECIAL ENVOY REPRESENTATIVE
    LEADER SPEAKER MAJORITY MINORITY CHAIRMAN CHAIR EMIR SHEIKH SULTAN COMMISSIONER PREMIER
    TAOISEACH MAYOR COLONEL CAPTAIN LIEUTENANT COMMANDER HIGH ADMINISTRATOR CHIEF EXECUTIVE
    PRESS ASSISTANT UNDER HIS HER MAJESTY EXCELLENCY HIGHNESS ROYAL SECRETARY-GENERAL
    PRESIDENT-ELECT DIRECTOR-GENERAL PRINCIPAL SENIOR STRATEGIC COMMUNICATIONS TRADE""".split()
)
# Offices whose holder in 2021-2023 US government documents is a dated fact.
OFFICE_HOLDERS = {
    ("THE PRESIDENT", "USA"): ("BIDEN", "2021-01-20", "2025-01-20"),
    ("THE VICE PRESIDENT", "USA"): ("HARRIS", "2021-01-20", "2025-01-20"),
    ("THE SECRETARY", "USA"): ("BLINKEN", "2021-01-26", "2025-01-20"),
}
PRONOUN = re.compile(
    r"^(and|but|so|now|well|because|if|when|as)?\s*(i|i'm|i’m|i'll|i’ll|i've|i’ve|i'd|i’d|we|we're|we’re|"
    r"you|you're|you’re|you've|you’ve|you'll|you’ll|he|he'd|he’d|she|they|they'll|they’ll|it|it's|it’s)\b",
    re.I,
)


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def fold(s):
    return strip_accents(s).lower().replace("’", "'").strip(".,")


def gazetteer():
    """Country names and demonyms → ISO code, from the places file (facts)."""
    places = tomllib.loads((ROOT / "models" / "places.toml").read_text())
    out = {}
    for c in places.get("country", []):
        for n in [c["name"], *c.get("names", []), *c.get("demonyms", []), *c.get("institutions", [])]:
            out[fold(n)] = c["code"]
    return out


def publisher_country(source):
    s = (source or "").lower()
    if "white house" in s or "department of state" in s:
        return "USA"
    return None


def title_country(title, name_words, places):
    """The country written beside the name in the title: 'NAME … of COUNTRY' or a demonym,
    country name or institution among the words before the name ('Ukrainian Foreign Minister
    …', 'President of the European Council Charles Michel')."""
    toks = re.findall(r"[\w'’.\-]+|,", title or "")
    words = [t for t in toks]
    folded = [fold(w) for w in words]
    n = len(name_words)
    for i in range(len(folded) - n + 1):
        if folded[i : i + n] != name_words:
            continue
        # After: more name words (capitalised, not an office), then "of" and a place.
        j = i + n
        while j < len(words) and words[j][:1].isupper() and words[j].upper() not in TITLE and folded[j] != "of":
            j += 1
        if j < len(folded) and folded[j] == "of":
            rest = []
            for w, f in zip(words[j + 1 : j + 8], folded[j + 1 : j + 8]):
                # "of the Islamic Republic of Afghanistan", not "of the G20 Summit in India"
                if f in (",", "and") or (not w[:1].isupper() and f not in ("of", "the")):
                    break
                rest.append(f)
            for k in range(len(rest), 0, -1):
                for a in range(0, len(rest) - k + 1):
                    code = places.get(" ".join(rest[a : a + k]))
                    if code:
                        return code
        # Before: back over the office words (and "of the") to a place word.
        j = i - 1
        while j >= 0 and (words[j][:1].isupper() or folded[j] in ("of", "the")):
            for k in (3, 2, 1):
                if j - k + 1 >= 0:
                    code = places.get(" ".join(folded[j - k + 1 : j + 1]))
                    if code:
                        return code
            j -= 1
    return None


def gold_turns(doc, places):
    """(start, end, label, kind, gold_name_words, gold_country, where the country came from)
    per turn, in characters."""
    text = doc["text"]
    paras, at = [], 0
    for p in text.split("\n\n"):
        lead = len(p) - len(p.lstrip())
        paras.append((at + lead, p.strip()))
        at += len(p) + 2
    labelled = []
    for start, p in paras:
        if QUESTION.match(p):
            labelled.append((start, "Q"))
            continue
        m = LABEL.match(p)
        if m and sum(ch.isalpha() for ch in m.group(1)) >= 2 and m.group(1) == m.group(1).upper() \
                and len(m.group(1)) <= 80:
            labelled.append((start, m.group(1).strip()))
    home = publisher_country(doc.get("source"))
    out = []
    for n, (start, label) in enumerate(labelled):
        end = labelled[n + 1][0] if n + 1 < len(labelled) else len(text)
        # A turn that is only a stage direction ("PRESIDENT BIDEN: (Laughs.)") has no speech.
        speech = text[start:end].split(":", 1)[-1] if label != "Q" else text[start + 1 : end]
        speech = re.sub(r"\([^)]*\)", " ", speech)
        speech = "\n".join(l for l in speech.splitlines() if not re.fullmatch(r"\s*(END\b.*|\d{1,2}:\d{2} [AP]\.M\..*)?", l))
        if not any(ch.isalpha() for ch in speech):
            continue
        words = [w.strip(".,") for w in label.split()]
        if NOT_PERSON.match(label):
            continue
        if label == "Q" or UNNAMED.search(re.sub(r"( (ONE|TWO|THREE|FOUR|FIVE|SIX|\d))+$", "", label)):
            out.append((start, end, label, "unnamed", None, None, None))
            continue
        if words[0] == "THE":
            held = OFFICE_HOLDERS.get((label, home))
            if held and held[1] <= doc["published"] < held[2]:
                out.append((start, end, label, "named", [fold(held[0])], home, "office"))
            else:
                out.append((start, end, label, "unnamed", None, None, None))
            continue
        name = words[:]
        while name and name[0] in TITLE:
            name = name[1:]
        if not name:
            out.append((start, end, label, "unnamed", None, None, None))
            continue
        name_words = [fold(w) for w in name]
        written = title_country(doc.get("title"), name_words, places)
        out.append((start, end, label, "named", name_words, written or home,
                    "title" if written else "publisher"))
    return out


def predictions(binary, path):
    proc = subprocess.run(
        [binary, "extract", str(path), "--json", "--quiet"],
        capture_output=True, text=True, check=True,
    )
    by_article = collections.defaultdict(list)
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            by_article[row["article"]].append(row)
    return by_article


def close(a, b):
    """Equal, or one edit apart for names of five letters or more ("Zelenskyy", "Zelensky")."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def name_matches(speaker, name_words):
    if not speaker:
        return False
    have = [fold(w) for w in re.findall(r"[\w'’\-]+", speaker)]
    return all(any(close(w, h) for h in have) for w in name_words)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--bin", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "/var/cache/tonetrack/target"), "release", "tonetrack"))
    ap.add_argument("--sample", type=int, default=0, help="print N random named turns to check by eye")
    ap.add_argument("--mismatches", type=int, default=0, help="print up to N wrong turns")
    ap.add_argument("--seed", type=int, default=19)
    args = ap.parse_args()

    places = gazetteer()
    docs = [json.loads(l) for l in open(args.file, encoding="utf-8") if l.strip()]
    preds = predictions(args.bin, args.file)

    named = right = missed = wrong_person = wrong_country = 0
    q_total = q_with_speaker = 0
    docs_with_labels = docs_detected = 0
    kinds = collections.Counter()
    speakers = collections.Counter()
    pronoun_speakers = collections.Counter()
    no_country = 0
    samples, bad = [], []
    by_source = collections.defaultdict(collections.Counter)
    for doc in docs:
        rows = preds.get(doc["id"], [])
        for r in rows:
            kinds[r["kind"]] += 1
            if r["speaker"]:
                speakers[r["speaker"]] += 1
                if PRONOUN.match(r["speaker"]):
                    pronoun_speakers[r["speaker"]] += 1
            if r["kind"] != "question" and not r["country"]:
                no_country += 1
        gold = gold_turns(doc, places)
        if any(g[3] == "named" for g in gold):
            docs_with_labels += 1
            if any(r["kind"] in ("turn", "question") for r in rows):
                docs_detected += 1
        for start, end, label, kind, name_words, country, country_from in gold:
            inside = [r for r in rows if r["kind"] in ("turn", "question") and start <= r["start"] < end]
            if label in ("Q", "QUESTION"):
                q_total += 1
                q_with_speaker += any(r["speaker"] for r in inside)
            if kind != "named":
                continue
            named += 1
            turn_rows = [r for r in inside if r["kind"] == "turn"]
            verdict = "right"
            if not turn_rows:
                missed += 1
                verdict = "missed"
            elif not all(name_matches(r["speaker"], name_words) for r in turn_rows):
                wrong_person += 1
                verdict = "wrong_person"
            elif not all(r["country"] == country for r in turn_rows):
                wrong_country += 1
                verdict = "wrong_country"
            else:
                right += 1
            by_source[country_from][verdict] += 1
            item = {
                "article": doc["id"], "title": doc.get("title"), "label": label,
                "gold": " ".join(name_words), "gold_country": country, "gold_country_from": country_from,
                "verdict": verdict,
                "predicted": sorted({(r["speaker"], r["country"], r["speaker_resolution"]) for r in turn_rows},
                                    key=str),
            }
            samples.append(item)
            if verdict != "right":
                bad.append(item)

    report = {
        "file": args.file,
        "documents": len(docs),
        "documents_with_named_labels": docs_with_labels,
        "of_which_read_as_transcripts": docs_detected,
        "named_turns": named,
        "right": right,
        "right_share": round(right / named, 4) if named else None,
        "missed": missed,
        "wrong_person": wrong_person,
        "wrong_country": wrong_country,
        "by_gold_country_source": {k: dict(v) for k, v in by_source.items()},
        "question_turns": q_total,
        "question_turns_with_a_speaker": q_with_speaker,
        "statements_by_kind": dict(kinds),
        "statements_without_country_excluding_questions": no_country,
        "pronoun_phrase_speakers": dict(pronoun_speakers),
        "top_speakers": speakers.most_common(12),
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    rng = random.Random(args.seed)
    for item in rng.sample(samples, min(args.sample, len(samples))):
        print("SAMPLE", json.dumps(item, ensure_ascii=False))
    for item in bad[: args.mismatches]:
        print("WRONG", json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
