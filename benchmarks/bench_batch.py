"""Batch matching speed and memory, measured side by side in one run.

    python benchmarks/bench_batch.py [-n 100000] [--small 10000] [--sample 300] [--clauses 1000]
                                     [--workers 2] [--skip-workers]

For the bundled corpus and for ``--clauses`` synthetic clauses (the corpus perturbed, see
synthetic_clauses.py) it prints:

* a naive loop of ``Matcher.match`` over ``--sample`` generated enterprises, per enterprise and
  extrapolated to ``-n``;
* ``Matcher.iter_match_many`` over ``-n`` generated enterprises (CSV in, long table streamed and
  dropped, possible clauses included), and the same with ``--eligible-only``; throughput and the
  ratio against the loop;
* peak memory (max RSS of a fresh process doing only that run) for ``--small`` and ``-n``
  enterprises: flat memory means the two are close;
* tokenisation of the generated descriptions with jieba and with rjieba through
  :class:`policymatch.text.Tokenizer` (characters/s, and whether every token list is identical);
* ``policymatch batch`` end to end (CSV in, Parquet out) in one process and on a local Dask
  cluster of ``--workers`` processes (cluster start-up included), and the speed-up.

Every case runs in its own process, one after the other. Timings are wall-clock; run on a quiet
machine (other jobs on the 2 cores show up directly in the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DAY = date(2025, 6, 30)


def _matcher(clauses: int) -> Any:
    sys.path.insert(0, str(HERE))
    from synthetic_clauses import synthetic_policies

    from policymatch import Matcher, load_policies

    policy_set = load_policies() if clauses == 0 else synthetic_policies(clauses)
    return Matcher().fit(policy_set)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- cases, each run in a child process -----------------------------------------------------------
def case_many(path: str, clauses: int, eligible_only: bool) -> dict[str, Any]:
    import itertools

    matcher = _matcher(clauses)
    with open(path, encoding="utf-8", newline="") as fh:  # warm: tokenizer, first-use imports
        import csv

        head = list(itertools.islice(csv.DictReader(fh), 200))
    matcher.match_many(head, as_of=DAY, rejects=[])
    before = _peak_mb()
    start = time.perf_counter()
    rows = pairs = 0
    for result in matcher.iter_match_many(path, as_of=DAY, include_possible=not eligible_only):
        rows += result.n_read
        pairs += len(result.table)
        del result  # as `policymatch batch` does: one chunk's table alive at a time
    seconds = time.perf_counter() - start
    return {"rows": rows, "pairs": pairs, "seconds": seconds, "peak_mb": _peak_mb(),
            "peak_before_mb": before, "clauses": len(matcher.pairs_)}


def case_loop(path: str, clauses: int, sample: int) -> dict[str, Any]:
    import csv

    from policymatch.profile import profile_from_row

    matcher = _matcher(clauses)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [r for _, r in zip(range(sample), csv.DictReader(fh), strict=False)]
    profiles = []
    for r in rows:
        try:
            profiles.append(profile_from_row({k: v for k, v in r.items() if v != ""}))
        except ValueError:
            pass
    matcher.match(profiles[0], as_of=DAY)  # warm
    start = time.perf_counter()
    for p in profiles:
        matcher.match(p, as_of=DAY)
    seconds = time.perf_counter() - start
    return {"rows": len(profiles), "seconds": seconds, "per_row_ms": 1000 * seconds / len(profiles)}


def case_tokens(path: str, limit: int) -> dict[str, Any]:
    import csv

    from policymatch.text import Tokenizer

    with open(path, encoding="utf-8", newline="") as fh:
        texts = [" ".join(x for x in (r["industry"], r["description"]) if x)
                 for _, r in zip(range(limit), csv.DictReader(fh), strict=False)]
    chars = sum(map(len, texts))
    out: dict[str, Any] = {"texts": len(texts), "chars": chars}
    tokens = {}
    for engine in ("jieba", "rjieba"):
        tok = Tokenizer(engine=engine)
        tok.tokenize("预热")  # dictionaries load outside the timing
        start = time.perf_counter()
        tokens[engine] = tok.tokenize_many(texts)
        out[f"{engine}_chars_per_s"] = chars / (time.perf_counter() - start)
    out["identical_texts"] = sum(a == b for a, b in zip(tokens["jieba"], tokens["rjieba"],
                                                        strict=True))
    # the same texts with nothing repeated: the piece cache emptied before each text
    tok = Tokenizer(engine="rjieba")
    tok.tokenize("预热")
    start = time.perf_counter()
    for text in texts:
        tok._pieces = {}
        tok.tokenize(text)
    out["rjieba_unrepeated_chars_per_s"] = chars / (time.perf_counter() - start)
    # the batch path: the index's query tokens, one sparse row per enterprise
    from policymatch.batch import Plan

    matcher = _matcher(0)
    relevance = Plan(matcher, as_of=DAY).relevance  # nothing cached yet
    start = time.perf_counter()
    rows = relevance.queries(texts)
    out["batch_chars_per_s"] = chars / (time.perf_counter() - start)
    out["batch_equals_transform"] = bool((rows != matcher.index_.transform(texts)).nnz == 0)
    with open(path, encoding="utf-8", newline="") as fh:  # the next texts: new, phrases seen
        more = [" ".join(x for x in (r["industry"], r["description"]) if x)
                for _, r in zip(range(2 * limit), csv.DictReader(fh), strict=False)][limit:]
    start = time.perf_counter()
    relevance.queries(more)
    out["batch_warm_chars_per_s"] = sum(map(len, more)) / (time.perf_counter() - start)
    return out


def case_cli(path: str, out: str, workers: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "policymatch", "batch", path, "-o", out, "--as-of",
           DAY.isoformat()]
    if workers:
        cmd += ["--workers", str(workers)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return {"seconds": time.perf_counter() - start, "summary": done.stdout.strip()}


def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--clauses", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        result = {"many": lambda: case_many(rest[0], int(rest[1]), rest[2] == "1"),
                  "loop": lambda: case_loop(rest[0], int(rest[1]), int(rest[2])),
                  "tokens": lambda: case_tokens(rest[0], int(rest[1])),
                  "cli": lambda: case_cli(rest[0], rest[1], int(rest[2]))}[kind]()
        print(json.dumps(result))
        return 0

    sys.path.insert(0, str(HERE))
    import generate

    folder = Path(tempfile.mkdtemp(prefix="pm-bench-"))
    big, small = folder / f"ents-{args.n}.csv", folder / f"ents-{args.small}.csv"
    generate.write(big, args.n, seed=7)
    generate.write(small, args.small, seed=7)
    print(f"enterprises: {args.n:,} and {args.small:,} generated (seed 7) in {folder}; "
          f"as of {DAY}; {os.cpu_count()} CPUs\n")

    for clauses, label in ((0, "bundled corpus"), (args.clauses, f"{args.clauses} synthetic")):
        loop = _child(["loop", str(big), str(clauses), str(args.sample)])
        many = _child(["many", str(big), str(clauses), "0"])
        eligible = _child(["many", str(big), str(clauses), "1"])
        tiny = _child(["many", str(small), str(clauses), "0"])
        naive = loop["per_row_ms"] / 1000 * args.n
        print(f"== {label}: {many['clauses']} clauses")
        print(f"  naive loop of match():  {loop['per_row_ms']:8.2f} ms/enterprise "
              f"-> {naive:8.0f} s for {args.n:,} (measured on {loop['rows']})")
        for name, got in (("match_many", many), ("eligible only", eligible)):
            print(f"  {name:<22}  {got['seconds']:8.1f} s for {got['rows']:,} "
                  f"({got['rows'] / got['seconds']:,.0f} rows/s, {got['pairs']:,} pairs); "
                  f"{naive / got['seconds']:,.0f}x the loop")
        print(f"  peak memory (max RSS):  {tiny['peak_mb']:8.0f} MB for {args.small:,}, "
              f"{many['peak_mb']:.0f} MB for {args.n:,} "
              f"(fitted matcher alone {many['peak_before_mb']:.0f} MB)\n")

    tokens = _child(["tokens", str(big), "20000"])
    j, r = tokens["jieba_chars_per_s"], tokens["rjieba_chars_per_s"]
    print(f"== tokenising {tokens['texts']:,} descriptions ({tokens['chars']:,} characters)")
    print(f"  jieba {j:,.0f} chars/s, rjieba {r:,.0f} chars/s: {r / j:.1f}x; identical token "
          f"lists for {tokens['identical_texts']:,} of {tokens['texts']:,} texts")
    u = tokens["rjieba_unrepeated_chars_per_s"]
    print(f"  rjieba with no piece seen before (cache emptied per text): {u:,.0f} chars/s "
          f"({u / j:.1f}x)")
    b, w = tokens["batch_chars_per_s"], tokens["batch_warm_chars_per_s"]
    print(f"  batch query rows, from a cold cache: {b:,.0f} chars/s ({b / j:.1f}x jieba); the next "
          f"{tokens['texts']:,} texts: {w:,.0f} chars/s ({w / j:.1f}x); equal to "
          f"ClauseIndex.transform: {tokens['batch_equals_transform']}\n")

    print(f"== policymatch batch {big.name} -o pairs.parquet (bundled corpus, end to end)")
    one = _child(["cli", str(big), str(folder / "one.parquet"), "0"])
    print(f"  1 process:   {one['seconds']:6.1f} s  | {one['summary']}")
    if not args.skip_workers:
        two = _child(["cli", str(big), str(folder / "two.parquet"), str(args.workers)])
        print(f"  {args.workers} workers:   {two['seconds']:6.1f} s  | {two['summary']}")
        print(f"  speed-up: {one['seconds'] / two['seconds']:.2f}x (Dask local cluster start-up "
              "included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
