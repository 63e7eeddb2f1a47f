"""The published JSON Schemas: the input form (what the library accepts) and the output form.

*Input* is what :func:`~policymatch.load_profile`, :func:`~policymatch.load_policies` and
``Matcher.match`` accept: money as a number of 元 or as text ("1.2亿", "3500万元"),
qualification lists as a list or as one string ("国高新、专精特新"). *Output* is exactly what the
library writes (``model_dump(mode="json")``, ``--format json``): money in 元 as numbers, every
property present. Both are generated from the pydantic models, never written by hand.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["PUBLISHED", "json_schema"]

Which = Literal["profile", "policy", "report"]
Form = Literal["input", "output"]

#: docs/<file> → (which, form): the schemas published with the documentation.
PUBLISHED: dict[str, tuple[Which, Form]] = {
    "profile.schema.json": ("profile", "input"),
    "profile.output.schema.json": ("profile", "output"),
    "policy.schema.json": ("policy", "input"),
    "policy.output.schema.json": ("policy", "output"),
    "report.schema.json": ("report", "output"),
}

_WORDS = {
    "input": "Input form: what policymatch accepts (money as a number of 元 or as text such as "
             "\"1.2亿\" or \"3500万元\"; numbers and yes/no also as text, \"120\", \"true\").",
    "output": "Output form: exactly what policymatch writes (money in 元 as numbers, every "
              "property present).",
}


def json_schema(which: Which, form: Form) -> dict[str, Any]:
    """The JSON Schema of a profile, a policy file or a match report, in one form.

    Examples
    --------
    >>> json_schema("profile", "input")["properties"]["revenue"]["anyOf"][1]["type"]
    'string'
    >>> json_schema("profile", "output")["properties"]["revenue"]["anyOf"][0]["type"]
    'number'
    """
    from pydantic import BaseModel

    from .models import MatchReport, Policy
    from .profile import EnterpriseProfile

    models: dict[str, type[BaseModel]] = {"profile": EnterpriseProfile, "policy": Policy,
                                          "report": MatchReport}
    model = models[which]
    schema = model.model_json_schema(mode="validation" if form == "input" else "serialization")
    if form == "input":
        schema = _lax(schema)
        if which == "profile":  # read by a model validator, so the field's own type says too little
            schema["properties"]["established"]["anyOf"][0] = _DATE_TEXT
    schema["description"] = f"{schema.get('description', '').strip()}\n\n{_WORDS[form]}".strip()
    return schema


def _any_case(words: tuple[str, ...]) -> str:
    return "|".join("".join(f"[{c.upper()}{c}]" if c.isalpha() else c for c in w) for w in words)


_DIGIT = "[0-9０-９]"
_INT_TEXT = {"type": "string", "pattern": rf"^\s*[+-]?{_DIGIT}+(\.0*)?\s*$",
             "description": "a whole number written as text, e.g. \"120\""}
_NUMBER_TEXT = {"type": "string",
                "pattern": rf"^\s*[+-]?({_DIGIT}[0-9０-９_]*(\.[0-9０-９_]*)?|\.{_DIGIT}+)([eE][+-]?[0-9]+)?\s*$",
                "description": "a number written as text, e.g. \"0.12\""}
_DATE_TEXT = {"type": "string", "pattern": "[0-9０-９]{4}",
              "description": "a date as people write it: 2019-03-05, 2019/03/05, 20190305, "
                             "2019年3月5日, or a year (2019) or a month (2019年3月) alone"}
_BOOL_ALTERNATIVES = [
    {"enum": [0, 1]},
    {"type": "string", "description": "yes/no as text: 是/否, true/false, yes/no, on/off, t/f, y/n, 1/0",
     "pattern": "^\\s*(是|否|" + _any_case(("true", "false", "yes", "no", "on", "off", "t", "f", "y",
                                         "n", "1", "0")) + ")\\s*$"},
]


def _lax(node: Any) -> Any:
    """The input form of a validation schema: pydantic also reads numbers and yes/no from text
    ("120", "0.12", "true") and 0/1 as yes/no, so the schema says so too."""
    if isinstance(node, list):
        return [_lax(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _lax(value) for key, value in node.items()}
    kind = out.get("type")
    if kind in ("integer", "number", "boolean"):
        typed = {k: v for k, v in out.items() if k not in ("title", "description", "default")}
        outer = {k: v for k, v in out.items() if k in ("title", "description", "default")}
        extra = ([_INT_TEXT] if kind == "integer" else [_NUMBER_TEXT] if kind == "number"
                 else _BOOL_ALTERNATIVES)
        return {**outer, "anyOf": [typed, *extra]}
    return out
