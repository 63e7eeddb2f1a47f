"""The OpenAPI document's request and response schemas: the library's own published JSON
Schemas (the profile's input form, the report's output form), not a second copy written for the
web layer."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

__all__ = ["ERROR", "components", "ref"]

#: Every refusal: one line for people, and each problem with the field path it is about.
ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["detail", "problems"],
    "properties": {
        "detail": {"type": "string", "description": "one line: the field path, the bad value and the fix"},
        "problems": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": ["string", "null"],
                                     "description": "the profile field path, e.g. revenue, talents.phd"},
                           "message": {"type": "string"},
                           "index": {"type": "integer", "description": "which profile of a batch"}}}},
    },
}

_NAMES = {("profile", "input"): "EnterpriseProfile", ("report", "output"): "MatchReport",
          ("policy", "output"): "Policy"}


def _rewrite(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _rewrite(v) for k, v in node.items() if k != "$schema"}
        target = out.get("$ref")
        if isinstance(target, str) and target.startswith("#/$defs/"):
            out["$ref"] = "#/components/schemas/" + target[len("#/$defs/"):]
        return out
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    return node


@lru_cache(maxsize=1)
def _components() -> dict[str, Any]:
    from ..schema import json_schema

    schemas: dict[str, Any] = {"Error": ERROR}
    for (which, form), name in _NAMES.items():
        doc = copy.deepcopy(json_schema(which, form))  # type: ignore[arg-type]
        defs = doc.pop("$defs", {})
        for key, value in defs.items():
            if key in schemas and schemas[key] != _rewrite(value):
                raise RuntimeError(f"two schemas named {key}")  # pragma: no cover - a model rename
            schemas[key] = _rewrite(value)
        schemas[name] = _rewrite(doc)
    detail = copy.deepcopy(schemas["Clause"])  # `policymatch show --format json`: its policy too
    detail["properties"] = {"policy_id": {"type": "string"}, "policy_title": {"type": "string"},
                            **detail.get("properties", {})}
    detail["required"] = ["policy_id", "policy_title", *detail.get("required", [])]
    detail["title"] = "ClauseDetail"
    schemas["ClauseDetail"] = detail
    return schemas


def components() -> dict[str, Any]:
    """``components/schemas`` of the OpenAPI document (a fresh copy)."""
    return copy.deepcopy(_components())


def ref(name: str) -> dict[str, str]:
    """A reference to one of :func:`components`."""
    return {"$ref": f"#/components/schemas/{name}"}
