"""Column headers of a batch input (CSV, Excel, a database query) read as profile fields.

People name columns in Chinese (企业名称, 营业收入, 纳税额 …): each such header is read as the field
it names, from one table — the Chinese label of every field in :mod:`policymatch.fields` plus
the spellings in ``policymatch/data/headers.yaml``. A header that names no field, or more than
one, stops the run before any row is read, naming the column and the closest names.
``extra.<key>`` (any key, Chinese too), ``talents.<x>`` and ``previous.<x>`` columns stay as
they are, their ``<x>`` read through the same table.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

__all__ = ["explainer", "header_names", "resolve_header"]

_NESTED = ("talents", "previous")
# a unit in brackets at the end of a header: 营业收入（元）, 从业人数(人)
_UNIT = re.compile(r"^(?P<head>.+?)[(\[](?P<unit>[^()\[\]]+)[)\]]$")
_UNITS_OF = {"money": {"元"}, "employees": {"人"}, "office_area_sqm": {"平方米", "m2", "㎡", "平米"},
             "land_area_mu": {"亩"}, "equipment_units": {"台", "台套", "台(套)"}}
_SCALED = ("万元", "亿元", "千元", "万", "亿", "千", "%", "百分比", "万人")


def _key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


@lru_cache(maxsize=1)
def header_names() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Header key → field path, and ambiguous header key → the fields it may name.

    A spelling listed for two fields (or a label equal to another field's alias) is ambiguous.
    """
    from ..fields import PROFILE_FIELDS
    from ..profile import EnterpriseProfile, PreviousYear, Talents

    raw = yaml.safe_load(resources.files("policymatch.data").joinpath("headers.yaml")
                         .read_text(encoding="utf-8"))
    names: dict[str, set[str]] = {}

    def add(spelling: str, path: str) -> None:
        names.setdefault(_key(spelling), set()).add(path)

    for path in EnterpriseProfile.model_fields:
        if path != "established_precision":
            add(path, path)
    for path in Talents.model_fields:
        add(f"talents.{path}", f"talents.{path}")
    for path in PreviousYear.model_fields:
        add(f"previous.{path}", f"previous.{path}")
    for path, spec in PROFILE_FIELDS.items():
        if not spec.derived and spec.label:
            add(spec.label, path)
    for path, spellings in (raw.get("fields") or {}).items():
        for spelling in spellings or ():
            add(str(spelling), path)
    ambiguous = {_key(k): tuple(v) for k, v in (raw.get("ambiguous") or {}).items()}
    for key, paths in names.items():
        if len(paths) > 1:
            ambiguous[key] = tuple(sorted(paths))
    return ({k: next(iter(v)) for k, v in names.items() if k not in ambiguous}, ambiguous)


def _close(key: str, known: Sequence[str]) -> list[str]:
    return difflib.get_close_matches(key, known, n=3, cutoff=0.5)


def _field(where: str, column: str, name: str) -> str:
    """The field path of one header (without a ``talents.``/``previous.`` head)."""
    known, ambiguous = header_names()
    key = _key(name)
    if key in known:
        return known[key]
    if key in ambiguous:
        raise ValueError(f"{where}: column {column!r} may be any of {', '.join(ambiguous[key])}; "
                         "rename it to the one it holds")
    unit = _UNIT.match(unicodedata.normalize("NFKC", name).strip())
    if unit is not None:
        head, what = unit["head"].strip(), unit["unit"].strip()
        path = known.get(_key(head))
        if path is not None:
            kind = "money" if _is_money(path) else path.rpartition(".")[2]
            if what in _UNITS_OF.get(kind, set()) or (path.startswith("talents.") and what == "人"):
                return path
            if what in _SCALED or kind in _UNITS_OF:
                raise ValueError(
                    f"{where}: column {column!r} gives {path} in {what}, which is not read: "
                    f"write the unit in each cell (3500万) or give the column in "
                    f"{'元' if kind == 'money' else '/'.join(sorted(_UNITS_OF.get(kind, {'its own unit'})))} "
                    f"and name it {head!r}")
    close = _close(key, [k for k in known if "." not in k or k.startswith(_NESTED)])
    shown = ", ".join(f"{c!r}" + (f" ({known[c]})" if known[c] != c else "") for c in close)
    raise ValueError(f"{where}: column {column!r} is not a profile field; rename it"
                     + (f" (closest: {shown})" if shown else "")
                     + f", or name it 'extra.{name}' to keep it as an extra fact")


def _is_money(path: str) -> bool:
    from ..fields import FieldKind, field_spec

    spec = field_spec(path)
    return spec is not None and spec.kind is FieldKind.MONEY


def resolve_header(where: str | Path, header: Sequence[str]) -> list[str]:
    """The field path of every header cell, in order.

    Raises ``ValueError`` naming ``where`` and the column when a header is not a field (with the
    closest names), names more than one, gives a field in a scaled unit (营业收入（万元）), or
    names a field another column already gives.

    >>> resolve_header("企业.csv", ["企业名称", "营业收入（元）", "纳税额", "extra.亩均评价"])
    ['name', 'revenue', 'tax_paid', 'extra.亩均评价']
    """
    where = str(where)
    out: list[str] = []
    given: dict[str, str] = {}
    for column in header:
        name = str(column).strip()
        head, dot, rest = name.partition(".")
        if not name:
            out.append(name)  # no header: its cells must be blank (each other row is a reject)
            continue
        if dot and _key(head) == "extra" and rest.strip():
            path = f"extra.{rest.strip()}"
        elif dot and _key(head) == "previous" and rest.partition(".")[0].strip().casefold() == "extra":
            path = f"previous.extra.{rest.partition('.')[2].strip()}"
        elif _key(name) in header_names()[0]:
            path = header_names()[0][_key(name)]
        elif dot and _key(head) in _NESTED:
            inner = _field(where, name, rest)
            path = inner if inner.startswith(f"{_key(head)}.") else f"{_key(head)}.{inner}"
            if path not in header_names()[0].values():
                raise ValueError(f"{where}: column {name!r} is not a field of {_key(head)}; "
                                 f"see the profile schema for the fields it has")
        else:
            path = _field(where, name, name)
        if path in given:
            raise ValueError(f"{where}: columns {given[path]!r} and {name!r} both give {path}; "
                             "keep one (it is not clear which one holds the value)")
        given[path] = name
        out.append(path)
    return out


def explainer(prefix: Callable[[int], str], columns: Mapping[str, str]) -> Callable[[int, str], str]:
    """A reason rewriter for :attr:`Chunk.explain <policymatch.batch.chunk.Chunk.explain>`:
    ``prefix(row)`` first, and each problem that starts with a field of ``columns`` (field → how
    to name its column) names that column instead.

    >>> explain = explainer(lambda row: f"sheet '企业' row {row}: ",
    ...                     {"revenue": "column C (营业收入 = revenue)"})
    >>> explain(7, "revenue: cannot read 'abc' as money; write a number")
    "sheet '企业' row 7: column C (营业收入 = revenue): cannot read 'abc' as money; write a number"
    """
    fields = "|".join(re.escape(f) for f in sorted(columns, key=len, reverse=True))
    pattern = re.compile(rf"(^|; )({fields}): ") if fields else None

    def explain(row: int, reason: str) -> str:
        if pattern is not None:
            reason = pattern.sub(lambda m: f"{m.group(1)}{columns[m.group(2)]}: ", reason)
        return prefix(row) + reason

    return explain
