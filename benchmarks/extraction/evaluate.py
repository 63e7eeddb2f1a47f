"""Measure policymatch.extract against hand-labelled documents (and, optionally, a corpus).

    python benchmarks/extraction/evaluate.py              # documents/ and heldout/
    python benchmarks/extraction/evaluate.py -v           # … and every disagreement
    python benchmarks/extraction/evaluate.py --roundtrip policies/

For each ``expected/<name>.yaml`` the script extracts ``documents/<document>``, pairs each
expected clause with an extracted clause whose text contains the expected ``anchor`` (the best
pairing by condition and benefit agreement when several share an anchor), and prints:

* clause split precision / recall (and recall over clauses that grant money or a ratio);
* condition F1 over ``field op value`` leaves of paired clauses plus the document-wide
  conditions; a leaf under ``any`` or ``not`` only matches a leaf under the same;
* benefit exact-match rate (every labelled key, and every unlabelled key at its default);
* amount accuracy: labelled numbers (amounts, caps, rates, tier thresholds, durations) equal;
* department, application mode, exclusivity grouping and document fields.

``--roundtrip DIR`` renders each clause of the policies in DIR as a one-item document
(``title`` + ``（一）`` + clause text), extracts it and compares the benefit kind and amounts
with the structured data.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run from a source checkout

from pydantic import TypeAdapter  # noqa: E402

from policymatch.corpus import load_policies  # noqa: E402
from policymatch.errors import ExtractionError  # noqa: E402
from policymatch.extract import extract_policy, read_document  # noqa: E402
from policymatch.models import (  # noqa: E402
    Clause,
    Condition,
    FixedBenefit,
    InKindBenefit,
    InterestBenefit,
    PerUnitBenefit,
    RatioBenefit,
    RentBenefit,
    TiersBenefit,
)
from policymatch.units import parse_money  # noqa: E402

_COND = TypeAdapter(Condition)
_MODELS = {"fixed": FixedBenefit, "tiers": TiersBenefit, "ratio": RatioBenefit,
           "per_unit": PerUnitBenefit, "interest": InterestBenefit, "rent": RentBenefit,
           "in_kind": InKindBenefit}
_MONEY_KEYS = {"amount", "cap", "floor", "at"}
_NUMBER_KEYS = _MONEY_KEYS | {"rate", "share", "years", "duration", "months", "max_area",
                              "max_units"}


# -- normalised views ------------------------------------------------------------------------
def _field(name: str) -> str:
    return "extra.*" if name.startswith("extra.") else name


def _value(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return round(float(v), 6)
    if isinstance(v, (list, tuple)):
        return tuple(sorted(str(x) for x in v))
    return str(v)


def leaves(cond: Any, ctx: str = "") -> list[tuple[Any, ...]]:
    """Flatten a condition tree into (context, field, op, value) leaves."""
    if cond is None:
        return []
    if cond.kind == "field":
        return [(ctx, _field(cond.field), cond.op, _value(cond.value))]
    if cond.kind == "not":
        return leaves(cond.of, ctx + "not/")
    sub = ctx + "any/" if cond.kind == "any" else ctx
    return [leaf for c in cond.of for leaf in leaves(c, sub)]


def _expected_benefit(label: dict[str, Any]) -> dict[str, Any]:
    kind = label["kind"]
    model = _MODELS[kind]
    out = {k: f.default for k, f in model.model_fields.items()
           if not f.is_required() and k not in ("kind", "description")}
    out.update({k: v for k, v in label.items() if k not in ("kind", "description")})
    for key in ("amount", "cap", "floor"):
        if isinstance(out.get(key), str):
            out[key] = parse_money(out[key], field=key)
    if kind in ("per_unit", "rent") and isinstance(out.get("rate"), str):
        out["rate"] = parse_money(out["rate"], field="rate")
    if "tiers" in out:
        out["tiers"] = [{k: parse_money(v, field=k) if k in _MONEY_KEYS and isinstance(v, str)
                         else v for k, v in t.items()} for t in out["tiers"]]
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-9)
    if isinstance(a, str) and isinstance(b, str):
        return _field(a) == _field(b)
    return bool(a == b)


def _numbers(data: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in data.items():
        if k == "tiers":
            for i, tier in enumerate(v):
                out.update(_numbers(dict(tier), f"tiers[{i}]."))
        elif k in _NUMBER_KEYS and isinstance(v, (int, float)) and not isinstance(v, bool):
            out[prefix + k] = float(v)
    return out


def _benefit_scores(exp: dict[str, Any], got: Clause) -> tuple[bool, int, int]:
    """(exact match, labelled numbers equal, labelled numbers)."""
    want = _expected_benefit(exp)
    have = got.benefit.model_dump()
    if exp["kind"] != got.benefit.kind:
        return False, 0, len(_numbers(want))
    exact = all(_same(v, have.get(k)) if k != "tiers" else len(v) == len(have.get(k) or ()) and all(
        all(_same(tv, ht.get(tk)) for tk, tv in t.items() if tv is not None)
        for t, ht in zip(v, have[k], strict=False)) for k, v in want.items())
    nums, have_nums = _numbers(want), _numbers(have)
    right = sum(1 for k, v in nums.items() if k in have_nums and _same(v, have_nums[k]))
    return exact, right, len(nums)


def _f1_counts(want: list[Any], have: list[Any]) -> tuple[int, int, int]:
    w, h = Counter(want), Counter(have)
    tp = sum((w & h).values())
    return tp, sum(h.values()) - tp, sum(w.values()) - tp


def _pair(expected: list[dict[str, Any]], got: list[Clause]) -> list[tuple[int, int]]:
    scores = []
    for i, exp in enumerate(expected):
        want = leaves(_COND.validate_python(exp["conditions"]) if exp.get("conditions") else None)
        for j, clause in enumerate(got):
            if exp["anchor"] not in clause.text:
                continue
            tp, fp, fn = _f1_counts(want, leaves(clause.conditions))
            _, right, total = _benefit_scores(exp["benefit"], clause)
            score = (2 * tp + 1) / (2 * tp + fp + fn + 1) + (right + 1) / (total + 1)
            scores.append((score, i, j))
    used_i: set[int] = set()
    used_j: set[int] = set()
    pairs = []
    for _, i, j in sorted(scores, key=lambda s: (-s[0], s[1], s[2])):
        if i not in used_i and j not in used_j:
            pairs.append((i, j))
            used_i.add(i)
            used_j.add(j)
    return pairs


# -- the document benchmark ----------------------------------------------------------------------
def evaluate(folder: Path, verbose: bool) -> dict[str, float]:
    """Score the extraction of ``folder/documents`` against ``folder/expected``."""
    t = Counter[str]()
    for path in sorted((folder / "expected").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text("utf-8"))
        doc = folder / "documents" / spec["document"]
        result = extract_policy(read_document(doc), source=spec["document"])
        policy, got = result.policy, list(result.policy.clauses)
        expected = spec["clauses"]
        pairs = _pair(expected, got)
        t["expected"] += len(expected)
        t["extracted"] += len(got)
        t["paired"] += len(pairs)
        money = [i for i, e in enumerate(expected) if e["benefit"]["kind"] != "in_kind"]
        t["money_expected"] += len(money)
        t["money_found"] += sum(1 for i, _ in pairs if i in money)
        for key in ("title", "doc_number", "issuer", "valid_from", "valid_to"):
            want, have = spec["policy"].get(key), getattr(policy, key)
            t["doc_fields"] += 1
            t["doc_fields_ok"] += str(want) == str(have)
            if verbose and str(want) != str(have):
                print(f"  {spec['document']}: {key}: expected {want!r}, got {have!r}")
        want = leaves(_COND.validate_python(spec["policy"]["conditions"])
                      if spec["policy"].get("conditions") else None)
        tp, fp, fn = _f1_counts(want, leaves(policy.conditions))
        t["tp"], t["fp"], t["fn"] = t["tp"] + tp, t["fp"] + fp, t["fn"] + fn
        if verbose and (fp or fn):
            print(f"  {spec['document']}: document conditions: expected {want}, "
                  f"got {leaves(policy.conditions)}")
        groups_want: dict[int, str | None] = {}
        groups_have: dict[int, str | None] = {}
        for i, j in pairs:
            exp, clause = expected[i], got[j]
            cond = _COND.validate_python(exp["conditions"]) if exp.get("conditions") else None
            want, have = leaves(cond), leaves(clause.conditions)
            tp, fp, fn = _f1_counts(want, have)
            t["tp"], t["fp"], t["fn"] = t["tp"] + tp, t["fp"] + fp, t["fn"] + fn
            exact, right, total = _benefit_scores(exp["benefit"], clause)
            t["benefit_exact"] += exact
            t["amount_right"] += right
            t["amount_total"] += total
            dept_ok = exp.get("department") == clause.department
            mode_ok = exp.get("mode", "依申请") == clause.mode.value
            t["dept_ok"] += dept_ok
            t["mode_ok"] += mode_ok
            groups_want[i], groups_have[i] = exp.get("group"), clause.exclusive_group
            if verbose and (fp or fn or not exact or not dept_ok or not mode_ok):
                print(f"  {spec['document']} [{exp['anchor']}] -> {clause.id}")
                if fp or fn:
                    print(f"      conditions: expected {want}\n                  got      {have}")
                if not exact:
                    print(f"      benefit: expected {exp['benefit']}\n               got      "
                          f"{clause.benefit.model_dump(exclude_defaults=True)}")
                if not dept_ok or not mode_ok:
                    print(f"      department/mode: expected {exp.get('department')}/"
                          f"{exp.get('mode', '依申请')}, got {clause.department}/{clause.mode.value}")
        keys = sorted(groups_want)
        for a in range(len(keys)):
            for b in range(a + 1, len(keys)):
                ga, gb = groups_want[keys[a]], groups_want[keys[b]]
                ha, hb = groups_have[keys[a]], groups_have[keys[b]]
                t["group_pairs"] += 1
                t["group_ok"] += (ga is not None and ga == gb) == (ha is not None and ha == hb)
        if verbose:
            for i, exp in enumerate(expected):
                if i not in {p[0] for p in pairs}:
                    print(f"  {spec['document']}: MISSED [{exp['anchor']}] {exp['benefit']}")
            for j, clause in enumerate(got):
                if j not in {p[1] for p in pairs}:
                    print(f"  {spec['document']}: EXTRA {clause.id} {clause.text[:40]}")
    p = t["tp"] / max(1, t["tp"] + t["fp"])
    r = t["tp"] / max(1, t["tp"] + t["fn"])
    return {
        "documents": len(list((folder / "expected").glob("*.yaml"))),
        "clauses expected": t["expected"], "clauses extracted": t["extracted"],
        "clause split precision": t["paired"] / max(1, t["extracted"]),
        "clause split recall": t["paired"] / max(1, t["expected"]),
        "benefit clauses found": t["money_found"] / max(1, t["money_expected"]),
        "condition precision": p, "condition recall": r,
        "condition F1": 2 * p * r / max(1e-9, p + r),
        "benefit exact match": t["benefit_exact"] / max(1, t["paired"]),
        "amount accuracy": t["amount_right"] / max(1, t["amount_total"]),
        "department accuracy": t["dept_ok"] / max(1, t["paired"]),
        "mode accuracy": t["mode_ok"] / max(1, t["paired"]),
        "exclusivity pair agreement": t["group_ok"] / max(1, t["group_pairs"]),
        "document fields": t["doc_fields_ok"] / max(1, t["doc_fields"]),
    }


# -- round trip over a corpus ----------------------------------------------------------------------
def roundtrip(folder: str, verbose: bool) -> dict[str, float]:
    policy_set = load_policies(folder)
    t = Counter[str]()
    for policy, clause in policy_set.items():
        t["clauses"] += 1
        try:
            result = extract_policy(f"{policy.title}\n（一）{clause.text}", policy_id="rt")
        except ExtractionError as exc:
            t["errors"] += 1
            if verbose:
                print(f"  {clause.id}: {exc}")
            continue
        got = list(result.policy.clauses)
        t["found"] += 1
        want = clause.benefit.model_dump()
        want_nums = _numbers(want)
        best = max(got, key=lambda c: (c.benefit.kind == clause.benefit.kind, sum(
            1 for k, v in want_nums.items() if _same(v, _numbers(c.benefit.model_dump()).get(k)))))
        kind_ok = best.benefit.kind == clause.benefit.kind
        have_nums = _numbers(best.benefit.model_dump())
        right = sum(1 for k, v in want_nums.items() if k in have_nums and _same(v, have_nums[k]))
        t["kind_ok"] += kind_ok
        t["amount_right"] += right
        t["amount_total"] += len(want_nums)
        t["all_amounts_ok"] += kind_ok and right == len(want_nums)
        if verbose and not (kind_ok and right == len(want_nums)):
            print(f"  {clause.id}: structured {want['kind']} {want_nums}; extracted "
                  f"{best.benefit.kind} {have_nums}")
    n = max(1, t["clauses"])
    return {"clauses": t["clauses"], "extraction errors": t["errors"],
            "benefit kind agreement": t["kind_ok"] / n,
            "clauses with every amount equal": t["all_amounts_ok"] / n,
            "amount accuracy": t["amount_right"] / max(1, t["amount_total"])}


def _print(title: str, figures: dict[str, float]) -> None:
    print(title)
    for k, v in figures.items():
        shown = f"{v:.1%}" if isinstance(v, float) else str(v)
        print(f"  {k:<28} {shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roundtrip", metavar="POLICIES_DIR",
                        help="also re-extract every clause of the policies in this folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each disagreement")
    args = parser.parse_args(argv)
    _print("Extraction benchmark (hand-labelled documents)", evaluate(HERE, args.verbose))
    _print("Held-out document (labelled before its first run; first-run figures: README.md)",
           evaluate(HERE / "heldout", args.verbose))
    if args.roundtrip:
        _print(f"Round trip over {args.roundtrip}", roundtrip(args.roundtrip, args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
