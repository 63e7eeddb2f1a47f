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
             "\"1.2亿\" or \"3500万元\").",
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
    schema["description"] = f"{schema.get('description', '').strip()}\n\n{_WORDS[form]}".strip()
    return schema
