"""Which kind of firm a clause is written for, and which kind an enterprise is.

The table is package data (``policymatch/data/sectors.yaml``, read once). A clause is written
for the kinds ("sectors": 工业, 农业, 建筑业, 文旅, …) that the qualifications, extra facts,
industries and industry sections its conditions name belong to, else for the kinds of its
policy's domain, else for every kind. An enterprise is of the kinds its 行业门类, else its
industry, says, plus the kinds of the qualifications it holds, else the kinds its description
names. :func:`unrelated` is true only when both sides are known and share no kind.

Relevance only orders and folds rows of a table; it never changes a status or a total.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .aliases import canonical_industry, canonical_qualification
from .models import AllOf, AnyOf, Clause, Condition, FieldTest, Not, Policy
from .profile import EnterpriseProfile
from .text import expand_query

__all__ = ["Sectors", "clause_industries", "clause_sectors", "industry_vocabulary", "profile_query",
           "profile_sectors", "sector_table", "unrelated"]


@dataclass(frozen=True)
class Sectors:
    """The lookup tables of ``sectors.yaml``: each key maps to the kinds of firm it marks."""

    sections: dict[str, frozenset[str]]
    industries: dict[str, frozenset[str]]
    qualifications: dict[str, frozenset[str]]
    extra: dict[str, frozenset[str]]
    fields: dict[str, frozenset[str]]
    domains: dict[str, frozenset[str]]
    words: tuple[tuple[str, frozenset[str]], ...]
    open: frozenset[str]
    vocabulary: dict[str, tuple[str, ...]]


def _add(table: dict[str, set[str]], key: str, sector: str) -> None:
    table.setdefault(key, set()).add(sector)


@lru_cache(maxsize=1)
def sector_table() -> Sectors:
    """The packaged table (``policymatch/data/sectors.yaml``), read once."""
    from .packaged import packaged_yaml

    raw: dict[str, Any] = packaged_yaml("sectors.yaml")
    tables: dict[str, dict[str, set[str]]] = {k: {} for k in (
        "sections", "industries", "qualifications", "extra", "fields", "domains", "words")}
    for sector, entry in raw["sectors"].items():
        for kind, table in tables.items():
            for key in entry.get(kind) or ():
                key = str(key)
                if kind == "industries":
                    _add(table, key, sector)
                    key = canonical_industry(key)
                elif kind == "qualifications":
                    key = canonical_qualification(key)
                _add(table, key, sector)

    def frozen(table: dict[str, set[str]]) -> dict[str, frozenset[str]]:
        return {k: frozenset(v) for k, v in table.items()}

    words = tuple(sorted(frozen(tables["words"]).items(), key=lambda kv: (-len(kv[0]), kv[0])))
    vocabulary = {canonical_industry(str(k)): tuple(str(t) for t in v)
                  for k, v in (raw.get("vocabulary") or {}).items()}
    return Sectors(
        sections=frozen(tables["sections"]), industries=frozen(tables["industries"]),
        qualifications=frozen(tables["qualifications"]), extra=frozen(tables["extra"]),
        fields=frozen(tables["fields"]),
        domains=frozen(tables["domains"]), words=words,
        open=frozenset(canonical_qualification(str(q)) for q in raw.get("open") or ()),
        vocabulary=vocabulary)


def _leaves(condition: Condition | None) -> Iterator[FieldTest]:
    """The field tests of a condition tree that a firm must meet (not the negated ones)."""
    if condition is None or isinstance(condition, Not):
        return
    if isinstance(condition, (AllOf, AnyOf)):
        for part in condition.of:
            yield from _leaves(part)
    elif isinstance(condition, FieldTest):
        yield condition


def _values(leaf: FieldTest) -> list[str]:
    value = leaf.value
    items = value if isinstance(value, (list, tuple)) else [value]
    return [str(v) for v in items if isinstance(v, str)]


def clause_industries(clause: Clause) -> frozenset[str]:
    """The industries a clause's own conditions require (``industry == / in``), canonical."""
    out: set[str] = set()
    for leaf in _leaves(clause.conditions):
        if leaf.field == "industry" and leaf.op in ("==", "in"):
            out.update(canonical_industry(v) for v in _values(leaf))
    return frozenset(out)


def clause_sectors(policy: Policy, clause: Clause) -> frozenset[str]:
    """The kinds of firm a clause is written for; empty when it is open to every kind."""
    table = sector_table()
    found: set[str] = set()
    weak: set[str] = set()
    for leaf in _leaves(clause.conditions):
        field, values = leaf.field, _values(leaf)
        weak.update(table.fields.get(field, ()))
        if field in ("qualifications", "new_qualifications") and leaf.op in ("has", "==", "in"):
            names = [canonical_qualification(v) for v in values]
            if any(n in table.open for n in names):
                return frozenset()
            for n in names:
                found.update(table.qualifications.get(n, ()))
        elif field == "industry" and leaf.op in ("==", "in"):
            for v in values:
                found.update(table.industries.get(canonical_industry(v), ()))
        elif field == "industry_section" and leaf.op in ("==", "in"):
            for v in values:
                found.update(table.sections.get(v, ()))
        elif field.startswith("extra."):
            found.update(table.extra.get(field.removeprefix("extra."), ()))
    if found or weak:
        return frozenset(found or weak)
    return table.domains.get(policy.domain or "", frozenset())


def profile_sectors(profile: EnterpriseProfile) -> frozenset[str]:
    """The kinds of firm an enterprise is known to be; empty when nothing says."""
    table = sector_table()
    found: set[str] = set()
    section = profile.industry_section
    if section:
        found.update(table.sections.get(section, ()))
    elif profile.industry:
        found.update(table.industries.get(profile.industry, ()))
        if not found:
            found.update(_words(profile.industry))
    for name in (*(profile.qualifications or ()), *(profile.new_qualifications or ())):
        found.update(table.qualifications.get(name, ()))
    if not found and profile.description:
        found.update(_words(profile.description))
    return frozenset(found)


def _words(text: str) -> set[str]:
    out: set[str] = set()
    for word, sectors in sector_table().words:
        if word in text:
            out.update(sectors)
    return out


def unrelated(clause_kinds: frozenset[str], firm_kinds: frozenset[str]) -> bool:
    """Whether a clause is written only for kinds of firm the enterprise is known not to be."""
    return bool(clause_kinds) and bool(firm_kinds) and clause_kinds.isdisjoint(firm_kinds)


def industry_vocabulary(industry: str | None) -> tuple[str, ...]:
    """The words an enterprise's industry adds to its ranking text (``vocabulary`` of the table)."""
    if not industry:
        return ()
    return sector_table().vocabulary.get(canonical_industry(industry), ())


def profile_query(profile: EnterpriseProfile) -> str:
    """The text that stands for an enterprise when ranking clauses by relevance: its industry,
    the vocabulary of that industry's cluster (``data/sectors.yaml``) and its description, with
    everyday words expanded to policy terms (see ``text.expand_query``)."""
    parts = [profile.industry or "", " ".join(industry_vocabulary(profile.industry)),
             profile.description or ""]
    text = " ".join(p for p in parts if p)
    if not text:
        return ""
    return expand_query(text)
