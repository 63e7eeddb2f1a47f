"""Measure policymatch.extract against hand-labelled documents (and, optionally, a corpus).

    python benchmarks/extraction/evaluate.py              # documents/ and heldout/
    python benchmarks/extraction/evaluate.py -v           # … and every disagreement
    python benchmarks/extraction/evaluate.py --roundtrip policies/
    python benchmarks/extraction/evaluate.py --check-labels benchmarks/extraction/heldout6

For each ``expected/<name>.yaml`` the script extracts ``documents/<document>``, pairs each
expected clause with an extracted clause whose text contains the expected ``anchor`` (the best
pairing by condition and benefit agreement when several share an anchor), and prints:

* clause split precision / recall (and recall over clauses that grant money or a ratio);
* condition F1 over ``field op value`` leaves of paired clauses plus the document-wide
  conditions; a leaf under ``any`` or ``not`` only matches a leaf under the same;
* benefit exact-match rate (every labelled key, and every unlabelled key at its default);
* amount accuracy: labelled numbers (amounts, caps, rates, tier thresholds, durations) equal;
* department, application mode, exclusivity grouping and document fields;
* over- and under-splitting (extracted clauses no label pairs with; labels nothing pairs with);
* condition exact: a paired clause whose own condition has exactly the labelled leaves (an
  ``unstructured`` leaf counts by presence: its words are free text);
* false-eligible rate: generated firms (every fact the labels or the draft test, set at random
  around the thresholds) judged on the draft and on the labels; the share of the draft's
  eligible verdicts that the labels do not make eligible (an unpaired draft clause's eligible
  verdicts all count as false);
* false-eligible, words confirmed: the same firms judged on copies of the draft and of the
  labels whose unstructured leaves all count as met (what a reviewer's confirming the words
  leaves): an eligible draft verdict the labels do not give is an over-grant by what the draft
  structured, or failed to keep;
* review-note precision and recall: a clause is wrong when it pairs with no label or its
  condition or benefit is not exact; precision = wrong among noted, recall = noted among wrong.

``--check-labels FOLDER`` extracts nothing: it validates the labels of a folder and prints
their clause counts and the generated firms' eligible verdicts on the labels alone.

``--roundtrip DIR`` renders each clause of the policies in DIR as a one-item document
(``title`` + ``（一）`` + clause text), extracts it and compares the benefit kind and amounts
with the structured data.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run from a source checkout

from pydantic import TypeAdapter, ValidationError  # noqa: E402

from policymatch.corpus import load_policies  # noqa: E402
from policymatch.errors import ExtractionError  # noqa: E402
from policymatch.extract import extract_policy, read_document  # noqa: E402
from policymatch.fields import field_spec  # noqa: E402
from policymatch.matcher import assess  # noqa: E402
from policymatch.models import (  # noqa: E402
    ApplicationMode,
    Clause,
    Condition,
    EnterpriseProfile,
    FieldTest,
    FixedBenefit,
    InKindBenefit,
    InterestBenefit,
    Not,
    PerUnitBenefit,
    Policy,
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
_PREVIOUS = "extra.__previous__."  # previous.* in labels, until the profile knows that field
DAY = date(2025, 6, 30)
FIRMS = 300  # generated firms per document


def _field(name: str) -> str:
    if name.startswith(_PREVIOUS):
        name = "previous." + name[len(_PREVIOUS):]
    if name.startswith("previous.extra."):  # last year's figure of a free-text measure
        return "previous.extra.*"
    return "extra.*" if name.startswith("extra.") else name


def label_condition(raw: Any) -> Any:
    """A labelled condition tree; ``previous.*`` is kept apart while the profile lacks it."""
    if raw is None:
        return None

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            node = {k: fix(v) for k, v in node.items()}
            f = node.get("field")
            if isinstance(f, str) and f.startswith("previous.") and field_spec(f) is None:
                node["field"] = _PREVIOUS + f[len("previous."):]
                if isinstance(node.get("value"), str):
                    node["value"] = parse_money(node["value"], field=f)
            return node
        return [fix(x) for x in node] if isinstance(node, list) else node

    return _COND.validate_python(fix(raw))


def clause_condition(exp: dict[str, Any]) -> Any:
    """A labelled clause's condition, with its ``unstructured:`` words (a list) joined by ``all``."""
    words = [{"kind": "unstructured", "text": w} for w in exp.get("unstructured", [])]
    raw = exp.get("conditions")
    if words:
        raw = {"kind": "all", "of": ([raw] if raw else []) + words}
    return label_condition(raw)


def _value(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return round(float(v), 6)
    if isinstance(v, (list, tuple)):
        return tuple(sorted(str(x) for x in v))
    return str(v)


#: A negated test written as its opposite operator: the rules give both the same outcome.
_NEGATED = {"has": "not_has", "in": "not_in"}


def leaves(cond: Any, ctx: str = "") -> list[tuple[Any, ...]]:
    """Flatten a condition tree into (context, field, op, value) leaves."""
    if cond is None:
        return []
    if cond.kind == "field":
        if cond.op == "has" and isinstance(cond.value, list) and len(cond.value) > 1:
            # `has [a, b]` holds when either is held: the leaves of `any: [has a, has b]`
            sub = ctx if ctx.endswith("any/") else ctx + "any/"
            return [(sub, _field(cond.field), "has", _value(v)) for v in cond.value]
        return [(ctx, _field(cond.field), cond.op, _value(cond.value))]
    if cond.kind == "unstructured":
        return [(ctx, "unstructured", None, None)]
    if cond.kind == "not":
        if cond.of.kind == "field" and cond.of.op in _NEGATED:  # `not has X` is `not_has X`
            return leaves(cond.of.model_copy(update={"op": _NEGATED[cond.of.op]}), ctx)
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


def _collapse(found: list[Any]) -> Counter[Any]:
    """Leaves as a multiset; unstructured leaves count once per context (their words are free)."""
    out = Counter(x for x in found if x[1] != "unstructured")
    out.update({x for x in found if x[1] == "unstructured"})
    return out


def _f1_counts(want: list[Any], have: list[Any]) -> tuple[int, int, int]:
    w, h = _collapse(want), _collapse(have)
    tp = sum((w & h).values())
    return tp, sum(h.values()) - tp, sum(w.values()) - tp


def _pair(expected: list[dict[str, Any]], got: list[Clause]) -> list[tuple[int, int]]:
    scores = []
    for i, exp in enumerate(expected):
        want = leaves(clause_condition(exp))
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


# -- generated firms ------------------------------------------------------------------------------
_SECTION_CODES = {"B": "0610", "C": "3311", "D": "4411", "E": "4710", "F": "5211", "G": "5411",
                  "H": "6210", "I": "6510", "K": "7010", "M": "7320"}


def _tests(cond: Any) -> list[Any]:
    if cond is None:
        return []
    if cond.kind == "field":
        return [cond]
    if cond.kind == "unstructured":
        return []
    return _tests(cond.of) if cond.kind == "not" else [x for c in cond.of for x in _tests(c)]


def _candidates(tests: list[Any]) -> dict[str, list[Any]]:
    """For every field a condition tests, values on both sides of what it is compared with."""
    out: dict[str, list[Any]] = {}
    for t in tests:
        f, v = t.field, t.value
        vals = out.setdefault(f, [])
        for x in (v if isinstance(v, list) else [v]):
            if isinstance(x, bool):
                vals += [True, False]
            elif isinstance(x, (int, float)):
                vals += [x, x * 0.5, x * 1.5, x * 3, x + 1, 0]
            else:
                vals += [x, "其他"]
    return out


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    if path.startswith("extra."):
        data.setdefault("extra", {})[path[len("extra."):]] = value
        return
    head, _, rest = path.partition(".")
    if rest:
        if head == "previous" and rest.startswith("extra."):
            data.setdefault("previous", {}).setdefault("extra", {})[rest[6:]] = value
        else:
            data.setdefault(head, {})[rest] = value
    else:
        data[head] = value


def key_pairs(pairs: list[tuple[Any, Any]]) -> dict[str, str]:
    """Draft ``extra.*`` keys that name a labelled measure differently: for each paired
    (label condition, draft condition), a draft test on a free-text key with the same operator
    and value as a label test on another free-text key of the same kind (``extra.*`` or
    ``previous.extra.*``) is taken to test the same measure. Generated firms then hold one
    value for both names, so the false-eligible rate counts what the draft structured, not how
    it spelled a key no profile field has."""
    out: dict[str, str] = {}
    for label_cond, draft_cond in pairs:
        want = _tests(label_cond)
        named = {x.field for x in want}
        for d in _tests(draft_cond):
            kind = _field(d.field)
            if kind not in ("extra.*", "previous.extra.*") or d.field in named or d.field in out:
                continue
            same = [x.field for x in want if _field(x.field) == kind and x.op == d.op
                    and _same(x.value, d.value)]
            if same:
                out[d.field] = same[0]
    return out


def _drop(data: dict[str, Any], path: str) -> None:
    head, _, rest = path.partition(".")
    if head == "previous" and rest.startswith("extra."):
        data.get("previous", {}).get("extra", {}).pop(rest[6:], None)
    elif head == "extra":
        data.get("extra", {}).pop(rest, None)


def firms(tests: list[Any], n: int, seed: int,
          same_as: dict[str, str] | None = None) -> list[EnterpriseProfile]:
    """``n`` firms knowing (with probability 0.85 each) every fact the tests read; a key of
    ``same_as`` gets the value drawn for the key it maps to (see :func:`key_pairs`)."""
    same_as = same_as or {}
    rng = random.Random(seed)
    cands = _candidates(tests)
    names = sorted({str(x) for f in ("qualifications", "new_qualifications")
                    for x in cands.get(f, []) if x != "其他"})
    out = []
    for k in range(n):
        data: dict[str, Any] = {"name": f"企业{k}"}
        if names and rng.random() < 0.85:
            held = [x for x in names if rng.random() < 0.3]
            new = [x for x in held if rng.random() < 0.6]
            data["qualifications"], data["new_qualifications"] = held, new
        shared = rng.randrange(6)  # extra.* names are free text: draw them alike
        drawn: dict[str, Any] = {}
        for f, vals in cands.items():
            if f in ("qualifications", "new_qualifications") or rng.random() >= 0.85:
                continue
            v = vals[shared % len(vals)] if f.startswith("extra.") else rng.choice(vals)
            drawn[f] = v
            if f == "industry_section":
                data["industry_code"] = _SECTION_CODES.get(str(v), "7010")
            elif f == "rd_ratio":
                data["rd_expense"] = float(v) * data.get("revenue", 1e8) if v else 0.0
            elif f == "age_years":
                data["established"] = date(DAY.year - int(v) - 1, 1, 1) if v else DAY
            elif f.startswith("talents.") or f in ("employees", "equipment_units"):
                _put(data, f, int(v) if isinstance(v, (int, float)) else 1)
            elif f.startswith(("extra.", "previous.")) or field_spec(f) is not None:
                _put(data, f, v)
        for f, to in same_as.items():  # one measure, two names: one value, or neither known
            _drop(data, f)
            if to in drawn:
                _put(data, f, drawn[to])
        try:
            out.append(EnterpriseProfile.model_validate(data))
        except ValueError:
            continue
    return out


#: The words of an unstructured leaf, once a reviewer has confirmed them: a leaf every profile
#: meets (every profile has a name), so only what the draft structured decides.
_CONFIRMED = FieldTest(field="name", op="!=", value="")


def _confirmed(cond: Any) -> Any:
    if cond is None or cond.kind == "field":
        return cond
    if cond.kind == "unstructured":
        return _CONFIRMED
    if cond.kind == "not":
        return Not(of=_confirmed(cond.of))
    return type(cond)(of=tuple(_confirmed(c) for c in cond.of))


def words_confirmed(policy: Policy) -> Policy:
    """A copy of ``policy`` whose unstructured leaves (document and clauses) all count as met.

    The false-eligible rate of such copies measures what a draft *structured* (or failed to
    keep): a document whose labels carry unstructured scope words has no label-eligible verdict
    at all, so the plain rate says nothing there. The matcher's semantics are untouched; only the
    policy the evaluator hands it differs.
    """
    clauses = tuple(c.model_copy(update={"conditions": _confirmed(c.conditions)})
                    for c in policy.clauses)
    return policy.model_copy(update={"conditions": _confirmed(policy.conditions),
                                     "clauses": clauses})


def _label_policy(spec: dict[str, Any], expected: list[dict[str, Any]]) -> Policy:
    clauses = tuple(Clause(id=f"label-{i}", title=e["anchor"], text=e["anchor"],
                           conditions=clause_condition(e),
                           benefit=InKindBenefit(description="标注")) for i, e in enumerate(expected))
    return Policy(id="label", title=spec["policy"]["title"], clauses=clauses,
                  conditions=label_condition(spec["policy"].get("conditions")))


# -- the document benchmark ----------------------------------------------------------------------
def evaluate(folder: Path, verbose: bool, *, unpaired_keys: bool = False) -> dict[str, float]:
    """Score the extraction of ``folder/documents`` against ``folder/expected``; with
    ``unpaired_keys`` the generated firms fill every ``extra.*`` key on its own (the scoring
    before :func:`key_pairs`)."""
    t = Counter[str]()
    unstructured: list[str] = []
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
        for key in ("title", "doc_number", "issuer", "region", "valid_from", "valid_to"):
            if key == "region" and key not in spec["policy"]:
                continue  # labelled from the second round on
            want, have = spec["policy"].get(key), getattr(policy, key)
            t["doc_fields"] += 1
            t["doc_fields_ok"] += str(want) == str(have)
            if verbose and str(want) != str(have):
                print(f"  {spec['document']}: {key}: expected {want!r}, got {have!r}")
        want = leaves(label_condition(spec["policy"].get("conditions")))
        tp, fp, fn = _f1_counts(want, leaves(policy.conditions))
        t["tp"], t["fp"], t["fn"] = t["tp"] + tp, t["fp"] + fp, t["fn"] + fn
        t["doc_cond_exact"] += not (fp or fn)
        if verbose and (fp or fn):
            print(f"  {spec['document']}: document conditions: expected {want}, "
                  f"got {leaves(policy.conditions)}")
        groups_want: dict[int, str | None] = {}
        groups_have: dict[int, str | None] = {}
        wrong = set(range(len(got))) - {j for _, j in pairs}
        for i, j in pairs:
            exp, clause = expected[i], got[j]
            want, have = leaves(clause_condition(exp)), leaves(clause.conditions)
            tp, fp, fn = _f1_counts(want, have)
            t["tp"], t["fp"], t["fn"] = t["tp"] + tp, t["fp"] + fp, t["fn"] + fn
            t["cond_exact"] += not (fp or fn)
            exact, right, total = _benefit_scores(exp["benefit"], clause)
            t["benefit_exact"] += exact
            t["amount_right"] += right
            t["amount_total"] += total
            if fp or fn or not exact:
                wrong.add(j)
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
        noted = {j for j, c in enumerate(got) if c.review}
        t["noted"] += len(noted)
        t["wrong"] += len(wrong)
        t["noted_wrong"] += len(noted & wrong)
        if verbose:
            for j in sorted(noted ^ wrong):
                print(f"  {spec['document']}: {'NOTE ON RIGHT' if j in noted else 'WRONG, NO NOTE'} "
                      f"{got[j].id} {got[j].review or ''}")
        keys = sorted(groups_want)
        for a in range(len(keys)):
            for b in range(a + 1, len(keys)):
                ga, gb = groups_want[keys[a]], groups_want[keys[b]]
                ha, hb = groups_have[keys[a]], groups_have[keys[b]]
                t["group_pairs"] += 1
                t["group_ok"] += (ga is not None and ga == gb) == (ha is not None and ha == hb)
        # generated firms: eligible on the draft, not on the labels?
        label = _label_policy(spec, expected)
        tests = _tests(label.conditions) + _tests(policy.conditions) + [
            x for c in (*label.clauses, *got) for x in _tests(c.conditions)]
        partner = {j: i for i, j in pairs}
        fe_by = Counter[str]()
        fe_words_by = Counter[str]()
        views = [("", label, policy), ("words_", words_confirmed(label), words_confirmed(policy))]
        same_as = {} if unpaired_keys else key_pairs(
            [(clause_condition(expected[i]), got[j].conditions) for i, j in pairs])
        for firm in firms(tests, FIRMS, seed=len(spec["document"]), same_as=same_as):
            for key, label_view, draft_view in views:
                truth = [assess(label_view, c, firm, as_of=DAY).status.value
                         for c in label_view.clauses]
                for j, clause in enumerate(draft_view.clauses):
                    if assess(draft_view, clause, firm, as_of=DAY).status.value != "eligible":
                        continue
                    t[key + "eligible"] += 1
                    ok = j in partner and truth[partner[j]] == "eligible"
                    t[key + "false_eligible"] += not ok
                    (fe_words_by if key else fe_by)[clause.id] += not ok
                t[key + "label_eligible"] += truth.count("eligible")
        if verbose and +fe_by:
            print(f"  {spec['document']}: false eligible by clause: {dict(+fe_by)}")
        if verbose and +fe_words_by:
            print(f"  {spec['document']}: false eligible by clause, words confirmed: "
                  f"{dict(+fe_words_by)}")
        for c in got:
            unstructured += [n.text for n in _walk(c.conditions) if n.kind == "unstructured"]
        unstructured += [n.text for n in _walk(policy.conditions) if n.kind == "unstructured"]
        if verbose:
            for i, exp in enumerate(expected):
                if i not in {p[0] for p in pairs}:
                    print(f"  {spec['document']}: MISSED [{exp['anchor']}] {exp['benefit']}")
            for j, clause in enumerate(got):
                if j not in {p[1] for p in pairs}:
                    print(f"  {spec['document']}: EXTRA {clause.id} {clause.text[:40]}")
    if verbose and unstructured:
        print("  still unstructured: " + " | ".join(unstructured))
    p = t["tp"] / max(1, t["tp"] + t["fp"])
    r = t["tp"] / max(1, t["tp"] + t["fn"])
    n_docs = len(list((folder / "expected").glob("*.yaml")))
    return {
        "documents": n_docs,
        "clauses expected": t["expected"], "clauses extracted": t["extracted"],
        "clause split precision": t["paired"] / max(1, t["extracted"]),
        "clause split recall": t["paired"] / max(1, t["expected"]),
        "over-split (unpaired drafts)": (t["extracted"] - t["paired"]) / max(1, t["extracted"]),
        "under-split (unpaired labels)": (t["expected"] - t["paired"]) / max(1, t["expected"]),
        "benefit clauses found": t["money_found"] / max(1, t["money_expected"]),
        "condition precision": p, "condition recall": r,
        "condition F1": 2 * p * r / max(1e-9, p + r),
        "condition exact": t["cond_exact"] / max(1, t["paired"]),
        "document conditions exact": t["doc_cond_exact"] / max(1, n_docs),
        "benefit exact match": t["benefit_exact"] / max(1, t["paired"]),
        "amount accuracy": t["amount_right"] / max(1, t["amount_total"]),
        "department accuracy": t["dept_ok"] / max(1, t["paired"]),
        "mode accuracy": t["mode_ok"] / max(1, t["paired"]),
        "exclusivity pair agreement": t["group_ok"] / max(1, t["group_pairs"]),
        "document fields": t["doc_fields_ok"] / max(1, t["doc_fields"]),
        "eligible verdicts (draft)": t["eligible"],
        "eligible verdicts (labels)": t["label_eligible"],
        "false-eligible rate": t["false_eligible"] / max(1, t["eligible"]),
        "eligible verdicts, words confirmed (draft)": t["words_eligible"],
        "eligible verdicts, words confirmed (labels)": t["words_label_eligible"],
        "false-eligible, words confirmed": t["words_false_eligible"] / max(1, t["words_eligible"]),
        "review notes": t["noted"], "wrong clauses": t["wrong"],
        "review-note precision": t["noted_wrong"] / max(1, t["noted"]),
        "review-note recall": t["noted_wrong"] / max(1, t["wrong"]),
        "unstructured leaves": len(unstructured),
    }


def _walk(cond: Any) -> list[Any]:
    if cond is None:
        return []
    if cond.kind in ("field", "unstructured"):
        return [cond]
    return _walk(cond.of) if cond.kind == "not" else [x for c in cond.of for x in _walk(c)]


# -- the labels alone -----------------------------------------------------------------------------
_POLICY_KEYS = {"title", "doc_number", "issuer", "region", "valid_from", "valid_to", "conditions"}
_CLAUSE_KEYS = {"anchor", "conditions", "unstructured", "benefit", "department", "mode", "group"}
_MODES = {m.value for m in ApplicationMode}


def _label_benefit(raw: Any) -> None:
    """Validate a labelled benefit with its model; an interest label may leave out the reference
    rate (labelled only when the text states it), so a placeholder stands in for it here."""
    if not isinstance(raw, dict) or raw.get("kind") not in _MODELS:
        raise ValueError(f"benefit needs a kind of {sorted(_MODELS)}, got {raw!r}")
    data = dict(raw)
    if data["kind"] == "interest":
        data.setdefault("base_rate", 0.01)
    if data["kind"] == "in_kind":
        data.setdefault("description", "标注")
    _MODELS[data["kind"]].model_validate(data)


def _why(exc: ValueError) -> str:
    """One line for a refusal: each pydantic error as ``place: message``."""
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
    return str(exc)


def _check_spec(spec: Any, documents: Path) -> tuple[int, list[str]]:
    """(clauses, problems) of one parsed label file; nothing is extracted."""
    if not isinstance(spec, dict) or not isinstance(spec.get("policy"), dict):
        return 0, ["needs a mapping with document, policy and clauses"]
    problems: list[str] = []
    doc = documents / str(spec.get("document", ""))
    text = ""
    if not spec.get("document") or not doc.is_file():
        problems.append(f"document {spec.get('document')!r} is not in {documents}")
    else:
        text = read_document(doc)
    policy = spec["policy"]
    if unknown := set(policy) - _POLICY_KEYS:
        problems.append(f"policy: unknown keys {sorted(unknown)}")
    if not isinstance(policy.get("title"), str) or not policy["title"].strip():
        problems.append("policy: title missing")
    for key in ("valid_from", "valid_to"):
        if key in policy and not isinstance(policy[key], date):
            problems.append(f"policy: {key} {policy[key]!r} is not a date (YYYY-MM-DD)")
    try:
        label_condition(policy.get("conditions"))
    except ValueError as exc:
        problems.append(f"policy: conditions: {_why(exc)}")
    clauses = spec.get("clauses")
    if not isinstance(clauses, list) or not clauses:
        return 0, [*problems, "clauses: needs a non-empty list"]
    for i, exp in enumerate(clauses):
        where = f"clauses[{i}]"
        if not isinstance(exp, dict):
            problems.append(f"{where}: not a mapping")
            continue
        if unknown := set(exp) - _CLAUSE_KEYS:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        anchor = exp.get("anchor")
        if not isinstance(anchor, str) or not anchor:
            problems.append(f"{where}: anchor missing")
        elif text and anchor not in text:
            problems.append(f"{where}: anchor {anchor!r} is not in the document")
        try:
            clause_condition(exp)
        except ValueError as exc:
            problems.append(f"{where} [{anchor}]: conditions: {_why(exc)}")
        try:
            _label_benefit(exp.get("benefit"))
        except ValueError as exc:
            problems.append(f"{where} [{anchor}]: benefit: {_why(exc)}")
        if exp.get("mode", "依申请") not in _MODES:
            problems.append(f"{where} [{anchor}]: mode {exp['mode']!r} is not one of {sorted(_MODES)}")
        for key in ("group", "department"):
            if key in exp and not isinstance(exp[key], str):
                problems.append(f"{where} [{anchor}]: {key} {exp[key]!r} is not text")
    return len(clauses), problems


def label_eligible(spec: dict[str, Any]) -> int:
    """Eligible verdicts of the generated firms on the labels alone (what the false-eligible rate
    can test: a document whose labels carry an unstructured document condition has none)."""
    label = _label_policy(spec, spec["clauses"])
    tests = _tests(label.conditions) + [x for c in label.clauses for x in _tests(c.conditions)]
    return sum(assess(label, c, firm, as_of=DAY).status.value == "eligible"
               for firm in firms(tests, FIRMS, seed=len(spec["document"])) for c in label.clauses)


def check_labels(folder: Path, *, eligible: bool = True) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Parse and validate the labels of ``folder/expected`` without extracting anything.

    Returns, per label file, its number of clauses and the eligible verdicts its labels give the
    generated firms (0 when ``eligible`` is false or the file has problems), and the problems
    found (file: where: what): a document that is missing, an anchor its document does not
    contain, a condition or benefit the models refuse (an unknown field, a wrong operator, a rate
    above 1), an unknown key.
    """
    counts: dict[str, tuple[int, int]] = {}
    problems: list[str] = []
    paths = sorted((folder / "expected").glob("*.yaml"))
    if not paths:
        problems.append(f"{folder / 'expected'}: no label files")
    for path in paths:
        try:
            spec = yaml.safe_load(path.read_text("utf-8"))
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: not YAML: {exc}")
            continue
        n, found = _check_spec(spec, folder / "documents")
        counts[path.name] = (n, label_eligible(spec) if eligible and not found else 0)
        problems += [f"{path.name}: {p}" for p in found]
    return counts, problems


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
    width = max(28, *map(len, figures))
    for k, v in figures.items():
        shown = f"{v:.1%}" if isinstance(v, float) else str(v)
        print(f"  {k:<{width}} {shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roundtrip", metavar="POLICIES_DIR",
                        help="also re-extract every clause of the policies in this folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each disagreement")
    parser.add_argument("--folder", help="score only this folder (with documents/ and expected/)")
    parser.add_argument("--check-labels", metavar="FOLDER",
                        help="only parse and validate the labels of FOLDER (nothing is extracted): "
                             "print clause counts, the generated firms' eligible verdicts on "
                             "the labels and any problems; exit 1 if there are problems")
    parser.add_argument("--unpaired-keys", action="store_true",
                        help="fill a draft's extra.* keys independently of the labels' keys "
                             "that test the same measure under another name (the older scoring)")
    args = parser.parse_args(argv)
    if args.check_labels:
        counts, problems = check_labels(Path(args.check_labels))
        for name, (n, eligible) in counts.items():
            print(f"  {name:<40} {n:>3} clauses  {eligible:>5} label-eligible verdicts")
        total = sum(n for n, _ in counts.values())
        print(f"  {len(counts)} label files, {total} clauses, {len(problems)} problems")
        for p in problems:
            print(f"  {p}")
        return 1 if problems else 0
    if args.folder:
        _print(f"Extraction of {args.folder}",
               evaluate(Path(args.folder), args.verbose, unpaired_keys=args.unpaired_keys))
        return 0
    _print("Extraction benchmark (hand-labelled documents)", evaluate(HERE, args.verbose))
    _print("Held-out document (labelled before its first run; first-run figures: README.md)",
           evaluate(HERE / "heldout", args.verbose))
    if (HERE / "tuning" / "expected").is_dir() and any((HERE / "tuning" / "expected").glob("*.yaml")):
        _print("Tuning documents (written for tuning the extractor)",
               evaluate(HERE / "tuning", args.verbose))
    _print("Held-out round 2 (six documents labelled before their first run; never tuned on)",
           evaluate(HERE / "heldout2", args.verbose))
    if args.roundtrip:
        _print(f"Round trip over {args.roundtrip}", roundtrip(args.roundtrip, args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
