#!/usr/bin/env python3
"""The Python peer of `tonetrack bench transformer`: sentence-transformers 3.0.1 encoding the same
statements with the same model (all-MiniLM-L6-v2), batch 32, on the same CPU cores.

Selection rule (identical to tonetrack's `select_sentences`): from a JSONL file with a "text" field,
the first COUNT distinct texts of MIN..MAX whitespace-separated words, in file order. The SHA-256 of
the selection (texts joined by "\n") is printed so that scripts/bench-transformer.sh can check that
both sides measured the same input.

Run it with the throwaway venv of scripts/bench-transformer.sh (pins: torch==2.4.0
transformers==4.44.2 sentence-transformers==3.0.1 "tokenizers<0.20"). Prints one JSON object.
"""

import argparse
import hashlib
import json
import os
import resource
import statistics
import sys
import time

# Everything is local; never try the Hugging Face hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def select(path, count, min_words, max_words):
    seen, out = set(), []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if len(out) == count:
                break
            if not line.strip():
                continue
            text = json.loads(line)["text"]
            if min_words <= len(text.split()) <= max_words and text not in seen:
                seen.add(text)
                out.append(text)
    return out, hashlib.sha256("\n".join(out).encode("utf-8")).hexdigest()


def load_model(model_dir):
    from sentence_transformers import SentenceTransformer, models

    try:
        return SentenceTransformer(model_dir, device="cpu"), "SentenceTransformer(folder)"
    except Exception as e:  # the installed folder has no 2_Normalize/ (it holds no files anyway)
        print(f"loading the folder failed ({e}); building the same three modules explicitly", file=sys.stderr)
        word = models.Transformer(model_dir, max_seq_length=256)
        pool = models.Pooling(word.get_word_embedding_dimension(), pooling_mode="mean")
        return SentenceTransformer(modules=[word, pool, models.Normalize()], device="cpu"), "SentenceTransformer(modules)"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sentences", default=os.path.join(repo, "../shared/datasets/polnear/train.gold.jsonl"))
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--min-words", type=int, default=10)
    p.add_argument("--max-words", type=int, default=40)
    p.add_argument("--model", default=os.environ.get("TONETRACK_TRANSFORMER_MODEL", os.path.join(repo, "models/transformer/all-MiniLM-L6-v2")))
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default, one per core)")
    p.add_argument("--bf16", action="store_true",
                   help="encode under torch.autocast('cpu', dtype=torch.bfloat16), the peer's own bf16 path "
                        "(to compare with `tonetrack bench transformer --precision bf16`)")
    args = p.parse_args()

    import torch
    import sentence_transformers
    import transformers

    if args.threads:
        torch.set_num_threads(args.threads)
    texts, sha = select(args.sentences, args.count, args.min_words, args.max_words)
    t0 = time.perf_counter()
    model, how = load_model(args.model)
    model.encode(texts[: args.batch_size], batch_size=args.batch_size)  # warm-up, as on the Rust side
    load = time.perf_counter() - t0
    import contextlib
    precision = torch.autocast("cpu", dtype=torch.bfloat16) if args.bf16 else contextlib.nullcontext()
    passes = []
    with precision:
        model.encode(texts[: args.batch_size], batch_size=args.batch_size)  # warm the bf16 kernels too
        for _ in range(max(1, args.repeat)):
            t = time.perf_counter()
            emb = model.encode(texts, batch_size=args.batch_size, normalize_embeddings=False)
            passes.append(time.perf_counter() - t)
    assert emb.shape == (len(texts), 384), emb.shape
    median = statistics.median(passes)
    print(json.dumps({
        "engine": f"sentence-transformers {sentence_transformers.__version__} ({how}{', bf16 autocast' if args.bf16 else ''})",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "torch_threads": torch.get_num_threads(),
        "statements": len(texts),
        "selection_sha256": sha,
        "batch_size": args.batch_size,
        "load_seconds": load,
        "passes": passes,
        "best_seconds": min(passes),
        "median_seconds": median,
        "statements_per_second": len(texts) / median,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "loadavg_1_5_15": " ".join(open("/proc/loadavg").read().split()[:3]),
    }, indent=2))


if __name__ == "__main__":
    main()
