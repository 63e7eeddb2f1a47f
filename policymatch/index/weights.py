"""The generic words whose IDF the bundled Matcher damps (``policymatch/data/generic_words.txt``).

Words such as 补贴 and 奖励 name the money of nearly every clause; left at full weight, a query's
补贴 outweighs what the need is about (博士, 设备, 民宿). :class:`~policymatch.Matcher` fits its
:class:`~policymatch.index.ClauseIndex` with ``damped=generic_words()``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

__all__ = ["generic_words"]


@lru_cache(maxsize=1)
def generic_words() -> dict[str, float]:
    """The packaged generic words and their IDF factors, as normalised lower-case tokens.

    Examples
    --------
    >>> generic_words()["补贴"] < 1
    True
    """
    from ..text import normalize

    raw = resources.files("policymatch.data").joinpath("generic_words.txt").read_text("utf-8")
    out: dict[str, float] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValueError(f"policymatch/data/generic_words.txt:{number}: {line.strip()!r} is "
                             "not 'word factor'")
        out[normalize(parts[0]).lower()] = float(parts[1])
    return out
