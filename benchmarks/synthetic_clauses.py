"""A larger policy set for benchmarks: the bundled corpus's clauses perturbed into ``n`` clauses.

Each synthetic clause copies a corpus clause and scales its numeric thresholds and amounts by a
random factor (0.5–2×, money rounded to 万元), rotates the sentences of its text and keeps its
conditions' shape, fields and names, so the rules and the relevance index see realistic work.
Exclusivity groups are kept per copy round (a round is one pass over the corpus), so groups stay
the size they are in the corpus.

    from synthetic_clauses import synthetic_policies
    policy_set = synthetic_policies(1000, seed=1)
"""

from __future__ import annotations

import random
import re
from typing import Any

from policymatch import PolicySet, load_policies
from policymatch.models import Policy

_MONEY_KEYS = ("amount", "cap", "floor")


def _scale(node: Any, rng: random.Random, factor: float) -> Any:
    """Scale every threshold and amount in a condition or benefit (plain data)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("value", "at", *_MONEY_KEYS, "rate") and isinstance(value, (int, float)) \
                    and not isinstance(value, bool) and value > 0:
                scaled = value * factor
                if key == "rate":
                    scaled = value if node.get("kind") in ("ratio", "interest") or value <= 1 \
                        else round(scaled, 2)
                    scaled = min(scaled, 1.0) if value <= 1 else scaled
                elif value >= 1e4:
                    scaled = round(scaled / 1e4) * 1e4 or value
                elif isinstance(value, int):
                    scaled = max(1, round(scaled))
                out[key] = scaled
            else:
                out[key] = _scale(value, rng, factor)
        return out
    if isinstance(node, list):
        return [_scale(v, rng, factor) for v in node]
    return node


def _rotate(text: str, rng: random.Random) -> str:
    sentences = [s for s in re.split(r"(?<=[。；])", text) if s]
    if len(sentences) > 1:
        k = rng.randrange(len(sentences))
        sentences = sentences[k:] + sentences[:k]
    return "".join(sentences)


def synthetic_policies(n: int, *, seed: int = 1, base: PolicySet | None = None) -> PolicySet:
    """``n`` clauses derived from ``base`` (default: the bundled corpus), as one PolicySet."""
    rng = random.Random(seed)
    base = base or load_policies()
    pairs = list(base.items())
    policies: dict[str, dict[str, Any]] = {}
    for k in range(n):
        policy, clause = pairs[k % len(pairs)]
        round_ = k // len(pairs)
        pid = f"{policy.id}-r{round_}"
        if pid not in policies:
            data = policy.model_dump(mode="json")
            data.update(id=pid, clauses=[])
            policies[pid] = data
        raw = clause.model_dump(mode="json")
        raw.pop("cases", None)
        factor = rng.uniform(0.5, 2.0) if round_ else 1.0
        raw["id"] = f"{clause.id}-r{round_}"
        raw["text"] = _rotate(clause.text, rng) if round_ else clause.text
        if raw.get("conditions") is not None:
            raw["conditions"] = _scale(raw["conditions"], rng, factor)
        raw["benefit"] = _scale(raw["benefit"], rng, factor)
        if raw.get("exclusive_group"):
            raw["exclusive_group"] = f"{raw['exclusive_group']}-r{round_}"
        policies[pid]["clauses"].append(raw)
    return PolicySet(policies=tuple(Policy.model_validate(p) for p in policies.values()))
