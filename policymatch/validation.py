"""A pydantic validation error as readable lines: one per problem, naming the file, the clause,
the field path, the bad value and the fix (and the line, for a YAML file).

Used for policy files (:mod:`policymatch.corpus`) and for profiles (:mod:`policymatch.profile`).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

__all__ = ["format_validation_error", "line_of", "problems_message", "shorten_value"]

_UNION_TAGS = frozenset({"field", "all", "any", "not", "fixed", "tiers", "ratio", "per_unit",
                         "interest", "rent", "in_kind"})


def _locate(loc: tuple[Any, ...], raw: Any) -> str:
    """Turn a pydantic error location into "clause <id>: path" using the raw data."""
    parts: list[str] = []
    node = raw
    prefix = ""
    for i, key in enumerate(loc):
        if key in _UNION_TAGS and i > 0 and (
                loc[i - 1] in ("of", "conditions", "benefit")
                or (isinstance(loc[i - 1], int) and i > 1 and loc[i - 2] == "of")):
            continue  # a union tag pydantic inserts after a condition or benefit; not in the data
        if isinstance(node, dict):
            node = node.get(key) if isinstance(key, str) else None
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            if i >= 1 and loc[i - 1] == "clauses" and isinstance(node, dict) and "id" in node:
                prefix = f"clause {node['id']}: "
                parts = []
                continue
        else:
            node = None
        parts.append(str(key))
    return prefix + ".".join(parts)


_DATE_HINT = "write the date as YYYY-MM-DD, e.g. 2023-06-01"
_HINTS = {
    "extra_forbidden": "remove it or fix its spelling; `policymatch schema {schema}` lists the "
                       "fields",
    "missing": "add it",
    "literal_error": "use one of the allowed values",
    "enum": "use one of the allowed values",
    "date_from_datetime_parsing": _DATE_HINT,
    "date_from_datetime_inexact": _DATE_HINT,
    "date_parsing": _DATE_HINT,
    "date_type": _DATE_HINT,
    "string_too_long": "shorten it; docs/limits.md lists every limit",
}


def _one_per_extra(errors: list[Any], raw: Any) -> list[Any]:
    """An ``extra`` value of no allowed type fails each member of the union (``extra.a.float``,
    ``extra.a.int``, …): say it once, for ``extra.a``."""
    out: list[Any] = []
    seen: set[Any] = set()
    for err in errors:
        loc = err["loc"]
        if len(loc) > 2 and loc[0] == "extra":
            if loc[:2] in seen:
                continue
            seen.add(loc[:2])
            value = raw.get("extra", {}).get(loc[1]) if isinstance(raw, dict) else None
            got = type(value).__name__ if isinstance(value, (dict, list)) else repr(value)
            err = {"loc": loc[:2], "type": "extra_value", "input": {},
                   "msg": f"an extra fact is a number, yes/no, text or a list of text, not {got}"
                          " — flatten it into keys such as extra.a_b"}
        out.append(err)
    return out


def format_validation_error(exc: ValidationError, name: str, raw: Any, *,
                            schema: str = "policy", lines: Any = None) -> list[str]:
    """One line per problem: file, clause id, field path, bad value, message and a hint.

    ``schema`` (``policy`` or ``profile``) names the `policymatch schema` that lists the fields;
    ``lines`` (the YAML's node tree, see :func:`~policymatch.corpus.safe_yaml.yaml_lines`) adds
    the line of each problem.
    """
    out: list[str] = []
    errors = _one_per_extra(exc.errors(include_url=False), raw)
    locs = [e["loc"] for e in errors]
    for err in errors:
        loc = err["loc"]
        if err["type"] == "too_short" and any(o != loc and o[: len(loc)] == loc for o in locs):
            continue  # a consequence of an error inside the same list
        where = _locate(loc, raw) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if len(msg) > 400:  # a message that quotes a huge value stays one readable line
            msg = f"{msg[:400]}…"
        if loc and isinstance(loc[-1], str):
            msg = msg.removeprefix(f"{loc[-1]}: ")  # the path already names the field
        bad = err.get("input")
        shown = "" if isinstance(bad, (dict, list)) or err["type"] == "missing" \
            else f" (got {shorten_value(bad)})"
        hint = _HINTS.get(err["type"], "").format(schema=schema)
        if err["type"] == "union_tag_not_found":
            msg = "not a condition or benefit" if bad != {} else "an empty mapping"
            hint = ("write a leaf {field, op, value}, or a kind (all, any, not for conditions; "
                    "fixed, tiers, ratio, … for benefits); leave it out when there is none")
        line = line_of(lines, loc)
        at = f" (line {line})" if line else ""
        out.append(f"{name}: {where}: {msg}{shown}" + (f" — {hint}" if hint else "") + at)
    return out


def problems_message(lines: list[str]) -> str:
    """First line: the first problem (what a CLI shows); then every problem, one per line."""
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return f"{lines[0]}{more}\n  " + "\n  ".join(lines)


def shorten_value(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters with the full length said: an error
    line about a 10 MB string stays one short line."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f"{len(value):,} characters" if isinstance(value, str) else f"{len(text):,} characters"
    return f"{text[:limit]}… ({size})"


def line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest node of ``loc`` found in the tree (union tags pydantic
    inserts into a location are not in the file and are skipped)."""
    if node is None:
        return None
    import yaml  # a node tree comes from PyYAML: it is imported already

    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
            if found is None:
                continue
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) \
                and 0 <= key < len(node.value):
            node = node.value[key]
    return int(node.start_mark.line) + 1
