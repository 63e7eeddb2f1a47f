"""Regenerate the published JSON Schemas and the field table of the condition language.

Run ``python docs/gen_schema.py`` after changing the models or ``policymatch/fields.py``;
``tests/test_docs.py`` fails while any of these is stale. Nothing here is written by hand:

* ``docs/profile.schema.json`` — a profile as policymatch accepts it (input form: money as text)
* ``docs/profile.output.schema.json`` — a profile as policymatch writes it (output form)
* ``docs/policy.schema.json`` — one policy file, input form (what ``policies/*.yaml`` may say)
* ``docs/policy.output.schema.json`` — a policy as policymatch writes it (``show --format json``)
* ``docs/report.schema.json`` — a MatchReport as ``match --format json`` writes it (output form)
* the table between the ``fields`` markers in ``docs/conditions.md`` — ``PROFILE_FIELDS``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
CONDITIONS = DOCS / "conditions.md"
START, END = "<!-- fields:start -->", "<!-- fields:end -->"


def schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, straight from the pydantic models (``policymatch.schema``)."""
    from policymatch.schema import PUBLISHED, json_schema

    return {name: json_schema(which, form) for name, (which, form) in PUBLISHED.items()}


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def field_table() -> str:
    """A Markdown table of every field a condition or benefit may name."""
    from policymatch.fields import PROFILE_FIELDS
    from policymatch.models import _OPS_BY_KIND

    order = [">=", ">", "<=", "<", "==", "!=", "in", "not_in", "has", "not_has"]
    lines = ["| field | 标签 | kind | unit | operators |", "| --- | --- | --- | --- | --- |"]
    for name, spec in PROFILE_FIELDS.items():
        ops = " ".join(f"`{op}`" for op in order if op in _OPS_BY_KIND[spec.kind])
        kind = spec.kind.value + (" (derived)" if spec.derived else "")
        lines.append(f"| `{name}` | {spec.label} | {kind} | {spec.unit or ('元' if kind == 'money' else '')} "
                     f"| {ops} |")
    lines.append("| `extra.<key>` | the key itself | any | — | by the values used with it |")
    return "\n".join(lines)


def conditions_page(current: str) -> str:
    """``current`` with the text between the field markers replaced by :func:`field_table`."""
    head, start, rest = current.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"{CONDITIONS}: the markers {START} and {END} are missing")
    return f"{head}{START}\n{field_table()}\n{END}{tail}"


def main() -> int:
    for name, schema in schemas().items():
        (DOCS / name).write_text(schema_text(schema), encoding="utf-8")
        print(f"wrote docs/{name}", file=sys.stderr)
    CONDITIONS.write_text(conditions_page(CONDITIONS.read_text(encoding="utf-8")), encoding="utf-8")
    print("updated the field table in docs/conditions.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(DOCS.parent))
    raise SystemExit(main())
