"""Clause conditions and benefits compiled once into vectorised evaluation over columns.

The batch path's counterpart of :func:`policymatch.rules.evaluate`, :func:`policymatch.benefits.compute`
and the matcher's exclusivity rule, with exactly their semantics:

* an outcome is an ``int8`` code, 1 met, 0 unknown, -1 unmet, so Kleene AND is the element-wise
  minimum and OR the maximum; ``not`` is pushed to the leaves with :func:`~policymatch.rules.push_not`
  as the scalar walk does, so leaves are visited in the same order;
* an unstructured leaf (words not yet written as a test) is unknown on every row and reports its
  label as missing, as :func:`~policymatch.rules.evaluate` does;
* numeric leaves compare float columns (``NaN`` = unknown); text, set and ``extra.`` leaves call the
  scalar :func:`~policymatch.rules.leaf_outcome` once per distinct value of the chunk, so place
  names, qualification sets and mixed ``extra`` values behave exactly as one by one;
* a leaf is unknown exactly when its field is missing, so the missing facts of an unknown clause are
  the fields the row lacks in each unknown tree (the clause's own, then the policy-wide one, as
  :func:`~policymatch.matcher.assess` orders them), then the benefit's base if unknown;
* a profile value of the wrong type raises where :meth:`Matcher.match` raises (its outcome-only
  first pass included), and that row becomes a reject;
* amounts follow :func:`~policymatch.benefits.compute` operation by operation, including Python's
  ``round(x, 2)`` (numpy's rounding differs only next to a half cent; those values are redone with
  ``round``).

Subtrees shared between clauses (a policy's document-wide conditions) are evaluated once per block.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..benefits import array_ops, group_winners
from ..errors import ProfileError
from ..fields import FieldKind, field_spec
from ..models import (
    UNSTRUCTURED_PREFIX,
    AnyOf,
    Benefit,
    Condition,
    FieldTest,
    Not,
    Unstructured,
)
from ..rules import COMPARE, leaf_outcome, missing_order, push_not
from .amounts import amount_at as _amount
from .columns import Columns

__all__ = ["BlockResult", "CompiledClauses", "round2"]

Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int8]
Objects = npt.NDArray[np.object_]
Bools = npt.NDArray[np.bool_]

MET, UNKNOWN, UNMET = 1, 0, -1
_NUMERIC = {FieldKind.NUMBER, FieldKind.MONEY, FieldKind.RATIO, FieldKind.BOOL}
_CODE = {"met": MET, "unknown": UNKNOWN, "unmet": UNMET}
_PARTLY_KNOWN = frozenset({"age_years", "qualifications", "new_qualifications", "industry"})
_OUTCOMES_PER_LEAF = 1024  # distinct values whose outcome a leaf remembers across chunks


def round2(x: Floats) -> Floats:
    """Python's ``round(v, 2)`` for every element (numpy's differs next to half a cent)."""
    return array_ops().round2(x)


# -- compiled conditions ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Leaf:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class _Node:
    any_of: bool
    children: tuple[int, ...]


@dataclass
class _Clause:
    clause_id: str
    doc: int | None  # root node of the policy-wide conditions
    own: int | None  # root node of the clause's own conditions
    doc_fields: tuple[str, ...]  # fields in tree order, as evaluate() reports them missing
    own_fields: tuple[str, ...]
    doc_leaves: tuple[int, ...]
    own_leaves: tuple[int, ...]
    benefit: Benefit
    group: str | None
    labels: dict[int, str] = field(default_factory=dict)  # missing-bits → "a;b"

    def missing_text(self, bits: int) -> str:
        """The ``missing`` of :func:`~policymatch.matcher.assess` for a pattern of bits: the
        clause's own facts first, then the policy-wide ones, then the benefit's base."""
        text = self.labels.get(bits)
        if text is None:
            k = len(self.doc_fields)
            doc = [f for i, f in enumerate(self.doc_fields) if bits >> i & 1]
            own = [f for i, f in enumerate(self.own_fields) if bits >> (k + i) & 1]
            base: str | None = getattr(self.benefit, "field", None)
            lacks_base = bits >> (k + len(self.own_fields)) & 1 and base is not None
            text = self.labels[bits] = ";".join(
                missing_order(doc, own, [base] if lacks_base and base is not None else []))
        return text


@dataclass
class BlockResult:
    """The non-ineligible (row, clause) pairs of a chunk, row-major, clause order within a row.

    ``clause`` indexes :attr:`CompiledClauses.clause_ids`; ``amount`` is NaN where unknown;
    ``missing`` indexes ``labels`` (``";"``-joined field paths, ``""`` first); ``errors`` maps a
    row to the reason :meth:`Matcher.match` raises :class:`~policymatch.errors.ProfileError` for
    it; those rows have no pairs.
    """

    row: npt.NDArray[np.int64]
    clause: npt.NDArray[np.int32]
    status: Codes
    score: Floats
    amount: Floats
    counted: Bools
    missing: npt.NDArray[np.int32]
    labels: list[str]
    errors: dict[int, str]


@dataclass
class _Block:
    """What one chunk's evaluation shares between clauses."""

    cols: Columns
    memo: dict[int, Codes] = field(default_factory=dict)
    leaf_errors: dict[int, dict[int, str]] = field(default_factory=dict)  # leaf → row → reason
    missing_masks: dict[str, Bools] = field(default_factory=dict)
    # (fields, shift): per row the bits of the fields it lacks, partly known ones left out
    fact_bits: dict[tuple[tuple[str, ...], int], npt.NDArray[np.int64]] = field(
        default_factory=dict)

    def missing(self, path: str) -> Bools:
        got = self.missing_masks.get(path)
        if got is None:
            got = self.missing_masks[path] = (
                np.ones(self.cols.n, dtype=bool) if path.startswith(UNSTRUCTURED_PREFIX)
                else self.cols.missing(path))
        return got


@dataclass
class _Piece:
    """The kept pairs of one clause: rows, status codes, amounts and missing-fact bits."""

    clause: int
    rows: npt.NDArray[np.int64]
    status: Codes
    amount: Floats
    bits: npt.NDArray[np.int64]


class CompiledClauses:
    """Conditions, benefits and exclusivity groups of clauses, compiled once for many blocks.

    Parameters
    ----------
    clause_ids, doc_conditions, own_conditions, benefits, groups : sequences of equal length
        For each clause: its id, its policy's document-wide conditions, its own conditions, its
        benefit and its exclusivity group.
    """

    def __init__(self, clause_ids: Sequence[str], doc_conditions: Sequence[Condition | None],
                 own_conditions: Sequence[Condition | None], benefits: Sequence[Benefit],
                 groups: Sequence[str | None]) -> None:
        self._nodes: list[_Leaf | _Node] = []
        self._keys: dict[Any, int] = {}
        self._refs: list[int] = []
        # leaf → distinct value → (code, reason it raises): the scalar outcome, kept across chunks
        self._outcomes: dict[int, dict[Any, tuple[int, str | None]]] = {}
        self.clauses: list[_Clause] = []
        # the missing-fact labels of the run: text → number, and per clause bits → number
        self._label_numbers: dict[str, int] = {"": 0}
        self._label_texts: list[str] = [""]
        self._tables: dict[int, npt.NDArray[np.int32]] = {}
        for cid, doc, own, benefit, group in zip(clause_ids, doc_conditions, own_conditions,
                                                 benefits, groups, strict=True):
            trees = []
            for cond in (doc, own):
                fields: list[str] = []
                leaves: list[int] = []
                root = None if cond is None else self._compile(cond, fields, leaves)
                if root is not None:
                    self._refs[root] += 1
                trees.append((root, tuple(dict.fromkeys(fields)), tuple(dict.fromkeys(leaves))))
            (d_root, d_fields, d_leaves), (o_root, o_fields, o_leaves) = trees
            if len(d_fields) + len(o_fields) > 62:
                raise ValueError(f"clause {cid}: its conditions read {len(d_fields) + len(o_fields)}"
                                 " facts; batch matching supports up to 62 per clause")
            self.clauses.append(_Clause(cid, d_root, o_root, d_fields, o_fields, d_leaves,
                                        o_leaves, benefit, group))
        self.clause_ids = [c.clause_id for c in self.clauses]
        by_group: dict[str, list[int]] = {}
        for i, c in enumerate(self.clauses):
            if c.group is not None:
                by_group.setdefault(c.group, []).append(i)
        # members in clause-id order: on equal amount and score the smaller id wins
        self.groups = {g: sorted(m, key=lambda i: self.clauses[i].clause_id)
                       for g, m in by_group.items()}
        self.paths = {f for c in self.clauses for f in c.doc_fields + c.own_fields
                      if not f.startswith(UNSTRUCTURED_PREFIX)} | {
            c.benefit.field for c in self.clauses if hasattr(c.benefit, "field")}

    def _compile(self, node: Condition, fields: list[str], leaves: list[int]) -> int:
        """Mirror of the scalar walk: leaves in the same order, ``not`` pushed down."""
        if isinstance(node, Not):
            return self._compile(push_not(node.of), fields, leaves)
        if isinstance(node, Unstructured):
            fields.append(node.label)
            key: Any = ("unstructured", node.text)
            made: _Leaf | _Node = _Leaf(node.label, "unstructured", node.text)
        elif isinstance(node, FieldTest):
            fields.append(node.field)
            key = ("leaf", node.field, node.op, json.dumps(node.value, ensure_ascii=False))
            made = _Leaf(node.field, node.op, node.value)
        else:
            children = tuple(self._compile(child, fields, leaves) for child in node.of)
            any_of = isinstance(node, AnyOf)
            key = ("any" if any_of else "all", children)
            made = _Node(any_of, children)
        index = self._keys.get(key)
        if index is None:
            index = self._keys[key] = len(self._nodes)
            self._nodes.append(made)
            self._refs.append(0)
            if isinstance(made, _Node):
                for child in made.children:
                    self._refs[child] += 1
        if isinstance(made, _Leaf):
            leaves.append(index)
        return index

    # -- one chunk -----------------------------------------------------------------------------
    def evaluate(self, cols: Columns, scorer: Callable[[slice | list[int]], Floats], *,
                 include_possible: bool = True) -> BlockResult:
        """Judge every clause for every row of ``cols``.

        ``scorer(clauses)`` gives the relevance of the rows to those clauses (a slice or list of
        positions in ``clause_ids``) as an array of shape ``(rows, clauses)``.
        """
        n = cols.n
        block = _Block(cols)
        errors: dict[int, str] = {}
        lowest = UNKNOWN if include_possible else MET
        kept: dict[int, tuple[Codes, npt.NDArray[np.int64], Floats]] = {}
        in_group = {i for members in self.groups.values() for i in members}
        pieces: list[_Piece] = []
        met = np.full(n, MET, dtype=np.int8)
        for i, c in enumerate(self.clauses):
            doc = met if c.doc is None else self._eval(c.doc, block)
            own = met if c.own is None else self._eval(c.own, block)
            code = np.minimum(doc, own)
            judged = np.flatnonzero(code >= UNKNOWN)  # benefits.compute runs for these only
            benefit_errors: dict[int, str] = {}
            amount, base_missing = _amount(c.benefit, cols, judged, benefit_errors)
            if block.leaf_errors or benefit_errors:
                self._errors(c, block, doc, own, benefit_errors, errors)
            if i in in_group:
                kept[i] = (code, judged, amount)
            keep = code[judged] >= lowest
            rows = judged[keep]
            status = code[rows]
            bits = np.zeros(len(rows), dtype=np.int64)
            unknown = np.flatnonzero(status == UNKNOWN)
            if len(unknown):
                at = rows[unknown]
                bits[unknown] = (
                    self._bits(c.doc_fields, c.doc_leaves, 0, doc[at], at, block)
                    | self._bits(c.own_fields, c.own_leaves, len(c.doc_fields), own[at], at, block))
            if base_missing is not None:
                bits |= base_missing[keep].astype(np.int64) << (len(c.doc_fields)
                                                                + len(c.own_fields))
            pieces.append(_Piece(i, rows, status, amount[keep], bits))
        # the relevance of every row to every clause, one product (each cell sums the same
        # products in the same order whichever clauses are asked for together)
        scores = scorer(slice(0, len(self.clauses))) if self.clauses else None
        counted = self._counted(kept, scores, n)
        return self._assemble(pieces, counted, scores, n, errors)

    def _bits(self, fields: tuple[str, ...], leaves: tuple[int, ...], shift: int, code: Codes,
              at: npt.NDArray[np.int64], block: _Block) -> npt.NDArray[np.int64]:
        """Which of ``fields`` each row at ``at`` lacks, where its subtree is unknown: a field
        is lacking where one of the subtree's leaves on it is unknown, as
        :func:`~policymatch.rules.evaluate` reports it. For most fields that is where the field
        is missing; a partly known one (a founding year, a name the alias table does not know)
        can leave one leaf open and decide another."""
        key = (fields, shift)
        whole = block.fact_bits.get(key)
        if whole is None:  # fields lacking exactly where they are missing, for every row
            whole = np.zeros(block.cols.n, dtype=np.int64)
            for b, path in enumerate(fields):
                if path not in _PARTLY_KNOWN:
                    whole |= block.missing(path).astype(np.int64) << (shift + b)
            block.fact_bits[key] = whole
        bits = whole[at]
        for b, path in enumerate(fields):
            if path in _PARTLY_KNOWN:
                open_ = np.zeros(len(at), dtype=bool)
                for leaf in leaves:
                    node = self._nodes[leaf]
                    if isinstance(node, _Leaf) and node.field == path:
                        codes = block.memo.get(leaf)
                        if codes is None:  # kept: other clauses' missing facts read it too
                            codes = block.memo[leaf] = self._eval(leaf, block)
                        open_ |= codes[at] == UNKNOWN
                bits |= open_.astype(np.int64) << (shift + b)
        bits[code != UNKNOWN] = 0
        return bits

    def _eval(self, index: int, block: _Block) -> Codes:
        got = block.memo.get(index)
        if got is not None:
            return got
        node = self._nodes[index]
        if isinstance(node, _Leaf):
            errors: dict[int, str] = {}
            out = _leaf(node, block.cols, errors, self._outcomes.setdefault(index, {}))
            if errors:
                block.leaf_errors[index] = errors
                block.memo[index] = out
        else:
            parts = [self._eval(child, block) for child in node.children]
            out = (np.maximum.reduce(parts) if node.any_of else np.minimum.reduce(parts)).astype(
                np.int8, copy=False)
        if self._refs[index] > 1:
            block.memo[index] = out
        return out

    def _errors(self, c: _Clause, block: _Block, doc: Codes, own: Codes,
                benefit_errors: dict[int, str], errors: dict[int, str]) -> None:
        """Rows for which :meth:`Matcher.match` raises on this clause.

        match() first runs the policy-wide tree, then (unless that is unmet) the clause's own
        tree, each outcome-only and stopping at the first deciding child; a leaf that raises
        raises when that walk reaches it. A clause that is not unmet is then judged in full:
        every leaf of both trees, and the benefit's base.
        """
        found = [(leaf, block.leaf_errors[leaf]) for leaf in c.doc_leaves + c.own_leaves
                 if leaf in block.leaf_errors]
        if not found and not benefit_errors:
            return
        n = block.cols.n
        doc_unmet = doc == UNMET
        raises = ~doc_unmet & (own != UNMET)  # judged in full
        if c.doc is not None and any(leaf in c.doc_leaves for leaf, _ in found):
            raises |= self._reached(c.doc, block, np.ones(n, dtype=bool))
        if c.own is not None and any(leaf in c.own_leaves for leaf, _ in found):
            raises |= self._reached(c.own, block, ~doc_unmet)
        for _, rows in found:
            for r, why in rows.items():
                if raises[r]:
                    errors.setdefault(r, why)
        for r, why in benefit_errors.items():  # computed for judged rows only
            errors.setdefault(r, why)

    def _reached(self, index: int, block: _Block, active: Bools) -> Bools:
        """Rows whose outcome-only, short-circuiting walk reaches a leaf that raises."""
        node = self._nodes[index]
        if isinstance(node, _Leaf):
            hit = np.zeros(len(active), dtype=bool)
            found = block.leaf_errors.get(index)
            if found:
                hit[list(found)] = True
            return active & hit
        win = MET if node.any_of else UNMET
        live = active.copy()
        reached = np.zeros(len(active), dtype=bool)
        for child in node.children:
            reached |= self._reached(child, block, live)
            live &= ~reached & (self._eval(child, block) != win)
        return reached

    def _counted(self, kept: dict[int, tuple[Codes, npt.NDArray[np.int64], Floats]],
                 scores: Floats | None, n: int) -> dict[int, Bools]:
        """就高不重复, as :func:`policymatch.matcher._apply_exclusivity`: per group and row the
        eligible member with the highest amount, then relevance, then the smaller id counts; the
        other eligible members are set aside."""
        out: dict[int, Bools] = {}
        for members in self.groups.values():
            amounts = np.zeros((n, len(members)))
            eligible = np.empty((n, len(members)), dtype=bool)
            for k, i in enumerate(members):
                code, judged, amount = kept[i]
                amounts[judged, k] = amount
                eligible[:, k] = code == MET
            assert scores is not None  # a group has members, and there are rows
            best = group_winners(amounts, scores[:, members], eligible)
            for k, i in enumerate(members):  # a merely possible clause is never set aside
                out[i] = (best < 0) | (best == k) | (kept[i][0] != MET)
        return out

    def _assemble(self, pieces: list[_Piece], counted: dict[int, Bools], scores: Floats | None,
                  n: int, errors: dict[int, str]) -> BlockResult:
        """Join the clause-major pieces into row-major arrays (clause order within a row).

        A row's pairs go where the rows before it end, in clause order: each piece takes the
        next free place of each of its rows. The ``missing`` labels are numbered in the order
        they first occur clause by clause, row by row (so a chunk's categories are the same
        whatever remembers them between chunks)."""
        run_ids = [self._label_ids(p) for p in pieces]  # numbers new labels of the run
        local = np.full(len(self._label_texts), -1, dtype=np.int32)
        local[0] = 0
        labels = [""]
        per_row = np.zeros(n, dtype=np.int64)
        for p in pieces:
            per_row[p.rows] += 1
        total = int(per_row.sum())
        free = np.zeros(n, dtype=np.int64)
        np.cumsum(per_row[:-1], out=free[1:])
        clause = np.empty(total, dtype=np.int32)
        amount = np.empty(total)
        packed = np.empty(total, dtype=np.int32)  # status, counted and the label, in 32 bits
        for p, ids in zip(pieces, run_ids, strict=True):
            at = free[p.rows]
            free[p.rows] = at + 1
            clause[at] = p.clause
            amount[at] = p.amount
            bits = p.status.astype(np.int32) + 1
            if p.clause in counted:
                bits |= counted[p.clause][p.rows].astype(np.int32) << 2
            else:
                bits |= 4
            if ids is not None:
                codes = local[ids]
                new = codes < 0
                if new.any():
                    for k in dict.fromkeys(ids[new].tolist()):
                        local[k] = len(labels)
                        labels.append(self._label_texts[k])
                    codes = local[ids]
                bits |= codes << 3
            packed[at] = bits
        rows = np.repeat(np.arange(n, dtype=np.int64), per_row)
        if errors:
            dropped = np.fromiter(errors, dtype=np.int64)
            keep = ~np.isin(rows, dropped)
            rows, clause, amount, packed = rows[keep], clause[keep], amount[keep], packed[keep]
        if len(rows):  # the relevance of every pair, read in row order
            assert scores is not None
            score = scores.reshape(-1)[rows * scores.shape[1] + clause]
        else:
            score = np.empty(0)
        return BlockResult(rows, clause, ((packed & 3) - 1).astype(np.int8), score, amount,
                           (packed & 4).astype(bool), packed >> 3, labels, errors)

    def _label_ids(self, p: _Piece) -> npt.NDArray[np.int32] | None:
        """Run-wide numbers (into ``_label_texts``) of the ``missing`` text of each pair of a
        piece; None when no pair lacks anything."""
        if not p.bits.any():
            return None
        clause = self.clauses[p.clause]
        width = len(clause.doc_fields) + len(clause.own_fields) + 1
        if width > 16:  # too many facts for a table of every pattern: the distinct ones
            distinct, inverse = np.unique(p.bits, return_inverse=True)
            return np.array([self._label_id(clause.missing_text(b)) for b in distinct.tolist()],
                            dtype=np.int32)[inverse.reshape(-1)]
        table = self._tables.get(p.clause)
        if table is None:
            table = self._tables[p.clause] = np.full(1 << width, -1, dtype=np.int32)
        ids = table[p.bits]
        new = ids < 0
        if new.any():
            for b in np.unique(p.bits[new]).tolist():
                table[b] = self._label_id(clause.missing_text(b))
            ids = table[p.bits]
        return ids

    def _label_id(self, text: str) -> int:
        got = self._label_numbers.get(text)
        if got is None:
            got = self._label_numbers[text] = len(self._label_texts)
            self._label_texts.append(text)
        return got


def _age_leaf(leaf: _Leaf, cols: Columns) -> Codes:
    """An age test, as :func:`~policymatch.rules.leaf_outcome` on an ``AgeSpan``: met or unmet
    where the youngest and oldest age agree, unknown where they differ, and an equality test
    unknown where the range holds a tested value."""
    young, old = cols.age_bounds()
    a, b = _numeric_leaf(leaf, young, cols.n), _numeric_leaf(leaf, old, cols.n)
    out = np.where(a == b, a, UNKNOWN).astype(np.int8)
    if leaf.op in ("==", "!=", "in", "not_in"):
        values = leaf.value if isinstance(leaf.value, list) else [leaf.value]
        span = young < old
        with np.errstate(invalid="ignore"):
            for v in values:
                if not isinstance(v, bool) and isinstance(v, (int, float)):
                    out[span & (young <= float(v)) & (float(v) <= old)] = UNKNOWN
    return out


def _numeric_leaf(leaf: _Leaf, x: Floats, n: int) -> Codes:
    with np.errstate(invalid="ignore"):
        if leaf.op in COMPARE:
            hit = COMPARE[leaf.op](x, float(leaf.value))
            want = True
        elif leaf.op in ("in", "not_in"):
            hit = np.isin(x, [float(v) for v in leaf.value])
            want = leaf.op == "in"
        else:  # == / != ; yes/no is stored as 1.0 / 0.0; a number never equals a list
            hit = (np.zeros(n, dtype=bool) if isinstance(leaf.value, list)
                   else x == float(leaf.value))
            want = leaf.op == "=="
    out = np.where(hit == want, MET, UNMET).astype(np.int8)
    out[np.isnan(x)] = UNKNOWN
    return out


def _leaf(leaf: _Leaf, cols: Columns, errors: dict[int, str],
          seen: dict[Any, tuple[int, str | None]]) -> Codes:
    if leaf.op == "unstructured":
        return np.full(cols.n, UNKNOWN, dtype=np.int8)
    spec = field_spec(leaf.field)
    assert spec is not None  # checked when the policy loaded
    if leaf.field == "age_years":
        return _age_leaf(leaf, cols)
    if spec.kind in _NUMERIC:
        return _numeric_leaf(leaf, cols.numeric(leaf.field), cols.n)
    codes, uniques = cols.factorized(leaf.field)
    keys = cols.value_keys(leaf.field)
    # the outcome of a value met in an earlier chunk (1, 1.0 and True kept apart); an
    # unhashable value (key None) is judged here and not remembered
    got: list[Any] = [None if key is None else seen.get(key) for key in keys]
    for k in [k for k, g in enumerate(got) if g is None]:
        outcome: tuple[int, str | None]
        try:
            outcome = (_CODE[leaf_outcome(leaf.op, uniques[k], leaf.value, leaf.field).value], None)
        except ProfileError as exc:
            outcome = (UNKNOWN, str(exc))
        key = keys[k]
        if key is not None and len(seen) < _OUTCOMES_PER_LEAF:
            seen[key] = outcome
        got[k] = outcome
    per = np.empty(len(uniques) + 1, dtype=np.int8)
    per[-1] = UNKNOWN  # code -1: the field is missing
    per[:-1] = [g[0] for g in got]
    for k in [k for k, g in enumerate(got) if g[1] is not None]:
        reason: str = got[k][1]
        for r in np.flatnonzero(codes == k).tolist():
            errors.setdefault(r, reason)
    return per[codes]
