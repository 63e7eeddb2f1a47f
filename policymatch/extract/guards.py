"""Guards that keep a draft from being permissive: words before a benefit that no leaf reads.

Private, used by :mod:`policymatch.extract.drafts`.
"""

from __future__ import annotations

import re

from .conditions import UNSTRUCTURED, Leaf

_NAMED = re.compile(r"^\s*(?:对|凡)?\s*([^;。]{2,120}?)(?:的|者)?\s?,?\s?$")


def named_words(work: str, a: int, bs: int | None) -> list[Leaf]:
    """The words before the benefit of a clause that no leaf reads ("对…的，给予…"): a clause
    whose sentence names a beneficiary or requirement is never unconditional, so they are kept
    as an unstructured leaf (unknown). Empty when nothing but filler stands there."""
    head = work[a:a + bs] if bs else ""
    m = _NAMED.match(head)
    if m is None or len(re.findall(r"[\u4e00-\u9fff]", re.sub(
            r"按照|按|根据|经|由|给予|予以|企业|单位", "", m.group(1)))) < 2:
        return []
    return [Leaf(UNSTRUCTURED, "?", m.group(1).strip(), a + m.start(1),
                 a + m.start(1) + len(m.group(1).strip()), 0.5, "requirement")]
