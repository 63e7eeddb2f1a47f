"""Measure the bundled Matcher against hand-labelled enterprises and free-text needs.

    python benchmarks/quality/evaluate.py                      # profiles.yaml and queries.yaml
    python benchmarks/quality/evaluate.py --min-accuracy 0.9   # exit 1 below 90 % status accuracy
    python benchmarks/quality/evaluate.py --only battery-plant,minsu --max-queries 3

Prints, for ``profiles.yaml``:

* eligibility accuracy — the share of labels whose status (eligible / possible / ineligible)
  equals the program's, with the 3×3 confusion matrix and the false-"eligible" rate (labels that
  are not eligible but were reported eligible, over all such labels);
* amount accuracy — the share of labels with an expected amount that the program matched within
  1 元, and the mean absolute error in 万元 over the labels where it gave an amount;
* 就高不重复 accuracy — the share of labels with ``counted`` that agree on whether the clause counts;

for ``worth_asking.yaml`` (over the profiles of ``profiles.yaml`` and ``walk_ins.yaml``):

* precision@15 of the default possible list — of the possible clauses the default table shows
  (at most 15, as ``policymatch match`` prints them), the share labelled worth asking about,
  averaged over profiles; and its recall — of the possible clauses labelled worth asking about,
  the share the default table shows;

and for ``queries.yaml`` (tuned on) and ``queries_heldout.yaml`` (never tuned on), each apart, the
mean nDCG@5 (gain 2^grade − 1, ideal ranking from the labels) and recall@5 (relevant clauses of
any grade found in the top 5, over all relevant clauses).

Then every disagreement, with the program's reasons and the label's own explanation, so a human
can decide whether the label or the program is wrong. A clause whose policy is not in force on
the profile's day counts as ``ineligible``. The script always exits 0 (it is a report) unless
``--min-accuracy`` is given and the eligibility accuracy is below it.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run from a source checkout

from policymatch import EnterpriseProfile, Matcher, load_policies  # noqa: E402
from policymatch.display.table import POSSIBLE_ROWS as VIEW_ROWS  # noqa: E402
from policymatch.models import Match, Outcome, Status  # noqa: E402
from policymatch.units import format_money  # noqa: E402

STATUSES = ("eligible", "possible", "ineligible")
TOP_K = 5
AMOUNT_TOLERANCE = 1.0  # 元


@dataclass(frozen=True)
class Label:
    clause: str
    status: str
    amount: float | None = None
    counted: bool | None = None
    why: str = ""


@dataclass(frozen=True)
class Case:
    key: str
    profile: EnterpriseProfile
    as_of: date
    labels: tuple[Label, ...]


@dataclass(frozen=True)
class Query:
    text: str
    relevant: dict[str, int]


@dataclass(frozen=True)
class Row:
    """One label next to what the program said."""

    case: str
    label: Label
    got: str
    amount: float | None
    counted: bool | None
    reason: str
    formula: str


# -- reading the label files --------------------------------------------------------------------
def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_cases(path: Path) -> list[Case]:
    """The labelled profiles of ``path``; raises ``ValueError`` naming the bad entry."""
    data = _load_yaml(path)
    default_day = data.get("as_of")
    cases: list[Case] = []
    for i, entry in enumerate(data["profiles"]):
        key = entry.get("key") or f"profile {i + 1}"
        day = entry.get("as_of", default_day)
        if not isinstance(day, date):
            raise ValueError(f"{path}: {key}: as_of must be a date like 2026-06-30, got {day!r}")
        labels = []
        for raw in entry["labels"]:
            if raw.get("status") not in STATUSES:
                raise ValueError(f"{path}: {key}/{raw.get('clause')}: status must be one of "
                                 f"{', '.join(STATUSES)}, got {raw.get('status')!r}")
            labels.append(Label(clause=raw["clause"], status=raw["status"],
                                amount=None if raw.get("amount") is None else float(raw["amount"]),
                                counted=raw.get("counted"), why=str(raw.get("why", ""))))
        cases.append(Case(key=key, profile=EnterpriseProfile.model_validate(entry["profile"]),
                          as_of=day, labels=tuple(labels)))
    return cases


def load_queries(path: Path) -> list[Query]:
    """The graded search needs of ``path``."""
    data = _load_yaml(path)
    return [Query(text=q["text"], relevant={str(k): int(v) for k, v in q["relevant"].items()})
            for q in data["queries"]]


def load_worth_asking(path: Path) -> dict[str, frozenset[str]]:
    """Profile key → the clauses worth asking that firm about (groups expanded)."""
    data = _load_yaml(path)
    groups = {k: list(v) for k, v in data["groups"].items()}
    out: dict[str, frozenset[str]] = {}
    for key, entry in data["profiles"].items():
        wanted: set[str] = set(entry.get("clauses", []))
        for g in entry.get("groups", []):
            if g not in groups:
                raise ValueError(f"{path}: {key}: no group {g!r}")
            wanted.update(groups[g])
        wanted.difference_update(entry.get("except", []))
        out[key] = frozenset(wanted)
    return out


def load_walk_ins(path: Path) -> list[Case]:
    """The walk-in profiles (no status labels)."""
    data = _load_yaml(path)
    return [Case(key=e["key"], profile=EnterpriseProfile.model_validate(e["profile"]),
                 as_of=data["as_of"], labels=()) for e in data["profiles"]]


# -- judging ------------------------------------------------------------------------------------
def _reason(m: Match) -> str:
    """The reasons behind the program's verdict: unmet and unknown leaves first, else all."""
    wanted = {Status.INELIGIBLE: Outcome.UNMET, Status.POSSIBLE: Outcome.UNKNOWN}.get(m.status)
    texts = [r.text for r in m.reasons if wanted is None or r.outcome is wanted]
    return "；".join(dict.fromkeys(texts)) or "无条件"


def judge(matcher: Matcher, cases: list[Case]) -> list[Row]:
    """Run the matcher once per profile and pair every label with the program's verdict."""
    rows: list[Row] = []
    for case in cases:
        report = matcher.match(case.profile, as_of=case.as_of, include_ineligible=True)
        by_id = {m.clause_id: m for m in report.matches}
        inactive = set(report.inactive)
        for label in case.labels:
            m = by_id.get(label.clause)
            if m is None:
                why = (f"政策在 {case.as_of} 不在有效期内" if label.clause in inactive
                       else "程序没有返回该条款")
                rows.append(Row(case.key, label, "ineligible", None, None, why, ""))
                continue
            rows.append(Row(case.key, label, m.status.value, m.amount, m.counted, _reason(m),
                            m.formula))
    return rows


def _amount_ok(row: Row) -> bool:
    return row.amount is not None and abs(row.amount - (row.label.amount or 0.0)) <= AMOUNT_TOLERANCE


def _counted_ok(row: Row) -> bool:
    return row.got == "eligible" and row.counted is row.label.counted


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = TOP_K) -> float:
    """nDCG@k with gain 2^grade − 1 and the ideal ranking taken from the labels."""
    dcg = sum((2 ** relevant.get(cid, 0) - 1) / math.log2(i + 2) for i, cid in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], relevant: dict[str, int], k: int = TOP_K, min_grade: int = 1) -> float:
    wanted = {cid for cid, g in relevant.items() if g >= min_grade}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


# -- printing -----------------------------------------------------------------------------------
def _pct(n: int, d: int) -> str:
    return f"{n / d:.3f} ({n}/{d})" if d else "n/a (0 labels)"


def _money(x: float | None) -> str:
    return "—" if x is None else format_money(x)


def report_status(rows: list[Row]) -> float:
    right = sum(r.got == r.label.status for r in rows)
    print(f"eligibility accuracy: {_pct(right, len(rows))}")
    print("confusion (rows: label, columns: program):")
    print(f"  {'':>12}" + "".join(f"{s:>12}" for s in STATUSES))
    for want in STATUSES:
        cells = [sum(r.label.status == want and r.got == got for r in rows) for got in STATUSES]
        print(f"  {want:>12}" + "".join(f"{c:>12}" for c in cells))
    not_eligible = [r for r in rows if r.label.status != "eligible"]
    false_eligible = sum(r.got == "eligible" for r in not_eligible)
    print(f"false-eligible rate: {_pct(false_eligible, len(not_eligible))} "
          "(labelled possible or ineligible, reported eligible)")
    return right / len(rows) if rows else 0.0


def report_amounts(rows: list[Row]) -> None:
    priced = [r for r in rows if r.label.status == "eligible" and r.label.amount is not None]
    right = sum(_amount_ok(r) for r in priced)
    print(f"amount accuracy: {_pct(right, len(priced))} (eligible labels with an amount, within "
          f"{AMOUNT_TOLERANCE:g} 元)")
    errors = [abs(r.amount - r.label.amount) for r in priced
              if r.amount is not None and r.label.amount is not None]
    mae = sum(errors) / len(errors) / 1e4 if errors else 0.0
    print(f"amount mean absolute error: {mae:,.2f} 万元 over {len(errors)} labels the program priced"
          f" ({len(priced) - len(errors)} without an amount)")
    counted = [r for r in rows if r.label.counted is not None]
    print(f"就高不重复 (counted) accuracy: {_pct(sum(_counted_ok(r) for r in counted), len(counted))}")


def report_search(matcher: Matcher, queries: list[Query], name: str = "search"
                  ) -> list[tuple[Query, list[str], float]]:
    results: list[tuple[Query, list[str], float]] = []
    for q in queries:
        ranked = [h.clause_id for h in matcher.search(q.text, top_k=TOP_K)]
        results.append((q, ranked, ndcg(ranked, q.relevant)))
    n = len(results) or 1
    print(f"{name} nDCG@{TOP_K}: {sum(s for _, _, s in results) / n:.3f} over {len(results)} "
          "queries")
    print(f"{name} recall@{TOP_K}: {sum(recall(r, q.relevant) for q, r, _ in results) / n:.3f} "
          f"(grade ≥ 1); {sum(recall(r, q.relevant, min_grade=2) for q, r, _ in results) / n:.3f} "
          "(grade 2)")
    return results


def default_possible(report: Any) -> list[Match]:
    """The possible rows the default table of ``policymatch match`` shows, in its order.

    (Before issue 11 the table showed the first 15 possible rows of the report; the first-run
    figures in README.md were measured that way.)
    """
    from policymatch.display.table import default_rows

    return [m for m in default_rows(report.matches, show_all=False)[0]
            if m.status is Status.POSSIBLE]


def report_view(matcher: Matcher, cases: list[Case], worth: dict[str, frozenset[str]]
                ) -> list[tuple[str, list[str], int, int]]:
    """Precision@15 and recall of the default possible list; one row per profile."""
    rows: list[tuple[str, list[str], int, int]] = []
    precisions, recalls = [], []
    for case in cases:
        if case.key not in worth:
            continue
        report = matcher.match(case.profile, as_of=case.as_of)
        possible = [m.clause_id for m in report.matches if m.status is Status.POSSIBLE]
        shown = [m.clause_id for m in default_possible(report)]
        good = worth[case.key]
        hits = sum(c in good for c in shown)
        wanted = [c for c in possible if c in good]
        if shown:
            precisions.append(hits / len(shown))
        if wanted:
            recalls.append(sum(c in shown for c in wanted) / len(wanted))
        rows.append((case.key, shown, hits, len(possible)))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    print(f"default possible list precision@{VIEW_ROWS}: {p:.3f} over {len(precisions)} profiles; "
          f"recall of worth-asking possible clauses: {r:.3f} over {len(recalls)} profiles")
    return rows


def print_view(rows: list[tuple[str, list[str], int, int]], worth: dict[str, frozenset[str]]
               ) -> None:
    print("\ndefault possible list per profile: profile | shown/possible | worth-asking shown | "
          "shown but not worth asking")
    for key, shown, hits, n_possible in rows:
        bad = [c for c in shown if c not in worth[key]]
        print(f"  {key} | {len(shown)}/{n_possible} | {hits} | {', '.join(bad) or '—'}")


def print_disagreements(rows: list[Row]) -> None:
    status = [r for r in rows if r.got != r.label.status]
    amount = [r for r in rows if r.got == r.label.status == "eligible" and r.label.amount is not None
              and not _amount_ok(r)]
    counted = [r for r in rows if r.label.counted is not None and r.got == "eligible"
               and r.counted is not r.label.counted]
    print(f"\nstatus disagreements ({len(status)}): profile | clause | expected | got | program's reasons")
    for r in status:
        print(f"  {r.case} | {r.label.clause} | {r.label.status} | {r.got} | {r.reason}")
        print(f"      label: {r.label.why}")
    print(f"\namount disagreements ({len(amount)}): profile | clause | expected | got | formula")
    for r in amount:
        print(f"  {r.case} | {r.label.clause} | {_money(r.label.amount)} | {_money(r.amount)} | "
              f"{r.formula}")
        print(f"      label: {r.label.why}")
    print(f"\n就高不重复 disagreements ({len(counted)}): profile | clause | expected counted | got")
    for r in counted:
        print(f"  {r.case} | {r.label.clause} | {r.label.counted} | {r.counted}")


def print_search_misses(results: list[tuple[Query, list[str], float]]) -> None:
    misses = [(q, ranked, s) for q, ranked, s in results if s < 1.0]
    print(f"\nsearch below the ideal ranking ({len(misses)}): nDCG@{TOP_K} | query | top {TOP_K} "
          "(grade) | grade-2 clauses not in the top")
    for q, ranked, s in misses:
        shown = ", ".join(f"{cid}({q.relevant.get(cid, 0)})" for cid in ranked) or "no hits"
        lost = [cid for cid, g in q.relevant.items() if g == 2 and cid not in ranked]
        print(f"  {s:.3f} | {q.text} | {shown} | {', '.join(lost) or '—'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=Path, default=HERE / "profiles.yaml",
                        help="labelled profiles (default: profiles.yaml next to this script)")
    parser.add_argument("--queries", type=Path, default=HERE / "queries.yaml",
                        help="graded search needs (default: queries.yaml next to this script)")
    parser.add_argument("--heldout", type=Path, default=HERE / "queries_heldout.yaml",
                        help="held-out search needs, reported apart (default: "
                             "queries_heldout.yaml)")
    parser.add_argument("--worth", type=Path, default=HERE / "worth_asking.yaml",
                        help="which clauses are worth asking each profile about")
    parser.add_argument("--walk-ins", type=Path, default=HERE / "walk_ins.yaml",
                        help="walk-in profiles without status labels (default: walk_ins.yaml)")
    parser.add_argument("--only", default="", help="comma-separated profile keys to evaluate")
    parser.add_argument("--max-queries", type=int, default=None, help="evaluate only the first N queries")
    parser.add_argument("--min-accuracy", type=float, default=None, metavar="X",
                        help="exit 1 when eligibility accuracy is below X (0-1)")
    args = parser.parse_args(argv)
    if args.min_accuracy is not None and not 0 <= args.min_accuracy <= 1:
        parser.error("--min-accuracy takes a share between 0 and 1, e.g. 0.9")

    cases = load_cases(args.profiles)
    walk_ins = load_walk_ins(args.walk_ins)
    if args.only:
        keys = {k.strip() for k in args.only.split(",") if k.strip()}
        unknown = keys - {c.key for c in cases + walk_ins}
        if unknown:
            parser.error(f"--only: no profile {', '.join(sorted(unknown))} in {args.profiles}")
        cases = [c for c in cases if c.key in keys]
    queries = load_queries(args.queries)[:args.max_queries]
    heldout = load_queries(args.heldout)[:args.max_queries]
    worth = load_worth_asking(args.worth)
    if args.only:
        walk_ins = [c for c in walk_ins if c.key in keys]

    matcher = Matcher().fit(load_policies())
    rows = judge(matcher, cases)
    days = sorted({str(c.as_of) for c in cases})
    print(f"policymatch quality benchmark: {len(cases)} profiles, {len(rows)} labels "
          f"(as of {', '.join(days)}), {len(walk_ins)} walk-ins, {len(queries)} queries, "
          f"{len(heldout)} held-out queries")
    accuracy = report_status(rows)
    report_amounts(rows)
    view = report_view(matcher, cases + walk_ins, worth)
    results = report_search(matcher, queries)
    held = report_search(matcher, heldout, name="held-out search")
    print_disagreements(rows)
    print_view(view, worth)
    print_search_misses(results)
    print("\nheld-out queries:")
    print_search_misses(held)
    if args.min_accuracy is not None and accuracy < args.min_accuracy:
        print(f"\neligibility accuracy {accuracy:.3f} is below --min-accuracy {args.min_accuracy:g}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
