"""Speed of matching one enterprise, measured side by side with a naive baseline.

    python benchmarks/bench_match.py [--repeat 200] [--cold-runs 7]

Prints, for the bundled corpus:
* warm ``Matcher.match`` median (ms) over the example profiles, next to a naive pipeline that
  tokenises with jieba and fits a fresh scikit-learn TF-IDF + cosine per call, then judges every
  clause (the same rules), and the ratio between them;
* cold ``policymatch match examples/<one>.json`` end to end (a new process each run, with the
  index and policy caches warm), median of several runs, next to ``import jieba, sklearn`` alone.
Timings are wall-clock medians; run on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def warm(repeat: int) -> None:
    from policymatch import Matcher, load_policies, load_profile
    from policymatch.matcher import assess, clause_document, profile_query

    policy_set = load_policies()
    matcher = Matcher().fit(policy_set)
    profiles = [load_profile(p) for p in sorted((ROOT / "examples").glob("*.json"))]
    for p in profiles:  # warm-up: jieba's dictionary, first-use model schemas
        matcher.match(p)

    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    naive_jieba = jieba.Tokenizer()
    naive_jieba.initialize()
    pairs = list(policy_set.items())
    docs = [clause_document(p, c) for p, c in pairs]

    def naive(profile):
        vec = TfidfVectorizer(tokenizer=lambda t: naive_jieba.lcut(t), lowercase=False,
                              token_pattern=None)
        matrix = vec.fit_transform(docs)
        scores = cosine_similarity(vec.transform([profile_query(profile)]), matrix)[0]
        return [assess(p, c, profile, score=float(s)) for (p, c), s in zip(pairs, scores, strict=True)]

    ours = [_median_ms(lambda p=p: matcher.match(p), repeat) for p in profiles]
    base = [_median_ms(lambda p=p: naive(p), max(5, repeat // 20)) for p in profiles]
    print(f"corpus: {len(policy_set.policies)} policies, {len(policy_set)} clauses; "
          f"{len(profiles)} example profiles")
    print(f"warm match() median: {statistics.median(ours):.3f} ms "
          f"(per profile {min(ours):.3f}–{max(ours):.3f} ms)")
    print(f"naive baseline median: {statistics.median(base):.1f} ms")
    print(f"ratio naive / ours: {statistics.median(base) / statistics.median(ours):.0f}x")


def cold(runs: int) -> None:
    example = ROOT / "examples" / "auto_parts_maker.json"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "POLICYMATCH_CACHE_DIR": cache}
        cmd = [sys.executable, "-m", "policymatch", "match", str(example)]
        subprocess.run(cmd, env=env, check=True, capture_output=True)  # fills the caches

        def run(argv: list[str]) -> float:
            t = time.perf_counter()
            subprocess.run(argv, env=env, check=True, capture_output=True)
            return time.perf_counter() - t

        ours = statistics.median(run(cmd) for _ in range(runs))
        naive = statistics.median(
            run([sys.executable, "-c", "import jieba; jieba.initialize(); import sklearn"])
            for _ in range(max(3, runs // 2)))
        bare = statistics.median(run([sys.executable, "-c", "pass"]) for _ in range(runs))
    print(f"cold `policymatch match` median: {ours:.2f} s (python startup alone {bare:.2f} s)")
    print(f"`import jieba (+dictionary); import sklearn` alone: {naive:.2f} s; "
          f"ratio {naive / ours:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=7)
    args = parser.parse_args()
    warm(args.repeat)
    cold(args.cold_runs)


if __name__ == "__main__":
    main()
