"""Speed of matching one enterprise, measured side by side with a naive baseline.

    python benchmarks/bench_match.py [--repeat 200] [--cold-runs 7]

Prints, for the bundled corpus:
* warm ``Matcher.match`` median (ms) over the example profiles, next to a naive pipeline that
  tokenises with jieba and fits a fresh scikit-learn TF-IDF + cosine per call, then judges every
  clause (the same rules), and the ratio between them;
* cold ``policymatch match examples/<one>.json`` end to end (a new process each run), with the
  index and policy caches warm and with a fresh (empty) cache, next to the naive command
  ``python -c "import jieba; jieba.lcut('测试'); import sklearn.feature_extraction.text"`` and
  the floors (``python -c pass``; the third-party imports a match needs; every import of
  the command, ``import policymatch.cli``), interleaved run by run;
  ``--compare TREE`` adds the same command from another source tree in the same runs.
Timings are wall-clock and CPU-time medians (``--cpu``: CPU time for the warm figures too);
compare ratios of one run, not figures across runs. ``--warm-only --compare TREE --rounds 3``
times the warm figures of this tree and of TREE in alternating child processes.

The warm figures repeat each example profile ``--repeat`` times in a row, as a service asked
about one firm again would; the "profiles interleaved" line asks about a different firm on every
call (its query is tokenised every time). The floor is the first pass alone: every clause's
outcome (no amount, order, report or text).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


_clock = time.perf_counter


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = _clock()
        fn()
        times.append(_clock() - t)
    return statistics.median(times) * 1000


def _first_pass(matcher, profile, day) -> None:
    """The outcome of every clause and nothing else: the floor of ``match()`` in this design."""
    from policymatch.rules import outcome_runner

    run = outcome_runner(profile, day, {})
    for policy, doc_plan, _, clauses in matcher._by_policy:
        if policy.active_on(day) and run(doc_plan).value != "unmet":
            for _, _, own_plan, _, _ in clauses:
                run(own_plan)


def warm(repeat: int, *, naive_baseline: bool = True) -> None:
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

    from policymatch.cli.render import render_report

    ours = [_median_ms(lambda p=p: matcher.match(p), repeat) for p in profiles]
    as_json = [_median_ms(lambda p=p: matcher.match(p).to_json(), repeat) for p in profiles]
    table = [_median_ms(lambda p=p: render_report(matcher.match(p), show_all=False), repeat)
             for p in profiles]
    mixed = []
    for _ in range(max(1, repeat // 10)):
        for p in profiles:
            mixed.append(_median_ms(lambda p=p: matcher.match(p), 1))
    import policymatch

    print(f"policymatch from {Path(policymatch.__file__).parent}")
    print(f"corpus: {len(policy_set.policies)} policies, {len(policy_set)} clauses; "
          f"{len(profiles)} example profiles; clock: {'CPU' if _clock is time.process_time else 'wall'}")
    print(f"warm match() median: {statistics.median(ours):.3f} ms "
          f"(per profile {min(ours):.3f}–{max(ours):.3f} ms)")
    print(f"warm match(), profiles interleaved, median: {statistics.median(mixed):.3f} ms")
    print(f"warm match().to_json() median: {statistics.median(as_json):.3f} ms")
    print(f"warm match() + the CLI table median: {statistics.median(table):.3f} ms")
    if hasattr(matcher, "_by_policy"):
        from datetime import date

        day = date.today()
        floor = [_median_ms(lambda p=p: _first_pass(matcher, p, day), repeat) for p in profiles]
        print(f"floor, the first pass alone (outcomes only) median: {statistics.median(floor):.3f} ms")
    if not naive_baseline:
        return
    base = [_median_ms(lambda p=p: naive(p), max(5, repeat // 20)) for p in profiles]
    print(f"naive baseline median: {statistics.median(base):.1f} ms")
    print(f"ratio naive / ours: {statistics.median(base) / statistics.median(ours):.0f}x")


NAIVE_COLD = "import jieba; jieba.lcut('测试'); import sklearn.feature_extraction.text"
# the third-party modules a match imports (numpy, scipy and PyYAML are no longer among them)
FLOOR_IMPORTS = "import pydantic, opencc"
FLOOR_OURS = "import policymatch.cli"  # every import of the command, before any work


def cold(runs: int, compare: str | None = None) -> None:
    """Whole commands, interleaved run by run (A B C … B C A …, each run rotated by one), so
    load drifts and the position after a heavy command hit all alike."""
    example = ROOT / "examples" / "auto_parts_maker.json"
    py = sys.executable
    match = [py, "-m", "policymatch", "match", str(example), "--as-of", "2025-06-30"]
    with tempfile.TemporaryDirectory() as warm_cache, tempfile.TemporaryDirectory() as scratch:
        # as an installed package runs: bytecode written on the first run and read afterwards
        base = {k: v for k, v in os.environ.items()
                if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
        cases: dict[str, tuple[list[str], dict[str, str], bool]] = {
            "match, warm cache": (match, {**base, "POLICYMATCH_CACHE_DIR": warm_cache}, False),
            "match, fresh cache": (match, base, True),
            "naive: import jieba, cut, import sklearn": ([py, "-c", NAIVE_COLD], base, False),
            f"floor: python -c '{FLOOR_IMPORTS}'": ([py, "-c", FLOOR_IMPORTS], base, False),
            f"floor: python -c '{FLOOR_OURS}'": ([py, "-c", FLOOR_OURS], base, False),
            "floor: python -c pass": ([py, "-c", "pass"], base, False),
        }
        if compare:  # the same command from another source tree (e.g. an earlier commit)
            other = {**base, "PYTHONPATH": compare}
            other_cache = os.path.join(scratch, "compare")
            cases["compared tree: match, warm cache"] = (
                match, {**other, "POLICYMATCH_CACHE_DIR": other_cache}, False)
            cases["compared tree: match, fresh cache"] = (match, other, True)
        outputs = set()
        for name, (argv, env, _) in cases.items():  # fill the warm caches, check the output
            if name.startswith(("match", "compared")):
                env = {"POLICYMATCH_CACHE_DIR": os.path.join(scratch, "first"), **env}
                outputs.add(subprocess.run(argv, env=env, check=True, capture_output=True,
                                           cwd=scratch).stdout)
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        names = list(cases)
        for i in range(runs):
            # each run starts one case later: no case always follows the slow naive command
            # (which once made the warm-cache case look slower than the fresh one: same work)
            for name in names[i % len(names):] + names[:i % len(names)]:
                argv, env, fresh = cases[name]
                if fresh:
                    env = {**env, "POLICYMATCH_CACHE_DIR": os.path.join(scratch, f"{name}{i}")}
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                # from an empty folder: `python -m` puts the working directory first on the
                # path, and a checkout there would run instead of the --compare tree
                subprocess.run(argv, env=env, check=True, capture_output=True, cwd=scratch)
                times[name].append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    med = {name: statistics.median(t) for name, t in times.items()}
    med_cpu = {name: statistics.median(t) for name, t in cpu.items()}
    key = "naive: import jieba, cut, import sklearn"
    naive, naive_cpu = med[key], med_cpu[key]
    print(f"cold commands, median of {runs} interleaved runs (naive / case; CPU = user + sys of "
          "the process, less moved by other jobs on a shared machine):")
    for name, m in med.items():
        print(f"  {name:<48} wall {m:6.3f} s {naive / m:5.1f}x   CPU {med_cpu[name]:6.3f} s "
              f"{naive_cpu / med_cpu[name]:5.1f}x")
    print(f"  outputs of the match commands identical: {len(outputs) == 1}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--compare", metavar="SOURCE_TREE",
                        help="also time the cold command with this directory on PYTHONPATH "
                             "(a checkout of another commit), in the same interleaved runs")
    parser.add_argument("--cold-only", action="store_true", help="skip the warm match() figures")
    parser.add_argument("--warm-only", action="store_true", help="skip the cold commands")
    parser.add_argument("--cpu", action="store_true",
                        help="time the warm figures in CPU time of the process, not wall clock")
    parser.add_argument("--rounds", type=int, default=3,
                        help="with --warm-only --compare: alternating runs of each tree")
    parser.add_argument("--no-naive", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global _clock
    if args.cpu:
        _clock = time.process_time
    if args.warm_only and args.compare:  # both trees in child processes, one after the other
        child = [sys.executable, __file__, "--warm-only", "--repeat", str(args.repeat)]
        child += ["--cpu"] if args.cpu else []
        for i in range(args.rounds):
            for name, path in (("this tree", str(ROOT)), ("compared tree", args.compare)):
                env = {**os.environ, "PYTHONPATH": path}
                print(f"-- round {i + 1}, {name} ({path})", flush=True)
                subprocess.run(child + ([] if i == 0 else ["--no-naive"]), env=env, check=True)
        return
    if not args.cold_only:
        warm(args.repeat, naive_baseline=not args.no_naive)
    if not args.warm_only:
        cold(args.cold_runs, args.compare)


if __name__ == "__main__":
    main()
