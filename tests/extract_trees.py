"""Reading extracted drafts in the extraction tests: one policy text in, the leaves of its
condition trees out (each with its path of any/ and not/), as comparable tuples."""

from __future__ import annotations

from typing import Any

from policymatch.extract import ExtractionResult, extract_policy
from policymatch.models import Clause

HEAD = "青溪县测试政策\n"


def run(body: str, head: str = HEAD) -> ExtractionResult:
    return extract_policy(head + body, policy_id="t")


def one(body: str, head: str = HEAD) -> Clause:
    (clause,) = run(body, head).policy.clauses
    return clause


def leaves(node: Any, ctx: str = "") -> list[tuple[str, Any]]:
    """(context, leaf) pairs of a condition tree; context is a path of any/ and not/."""
    if node is None:
        return []
    if node.kind in ("field", "unstructured"):
        return [(ctx, node)]
    kids = node.of if isinstance(node.of, tuple) else (node.of,)
    sub = ctx + ("any/" if node.kind == "any" else "not/" if node.kind == "not" else "")
    return [pair for kid in kids for pair in leaves(kid, sub)]


def fields(node: Any) -> set[tuple[str, str, str, Any]]:
    """(context, field, op, value) of every field test, list values as tuples."""
    out = set()
    for ctx, leaf in leaves(node):
        if leaf.kind == "field":
            value = tuple(leaf.value) if isinstance(leaf.value, (list, tuple)) else leaf.value
            out.add((ctx, leaf.field, leaf.op, value))
    return out
