"""The alias table that makes 国高新, 高新技术企业 and 国家高新技术企业 one qualification.

The table is package data (``policymatch/data/aliases.yaml``), read once on first use.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .packaged import packaged_yaml

__all__ = ["AliasTable", "alias_table", "canonical_industry", "canonical_qualification",
           "is_known_industry", "is_known_qualification", "nearest_names"]


class AliasTable:
    """Canonical names and a reverse lookup from every alias to its canonical name."""

    def __init__(self, qualifications: dict[str, list[str]], industries: dict[str, list[str]]):
        self.qualifications = {k: tuple(v or ()) for k, v in qualifications.items()}
        self.industries = {k: tuple(v or ()) for k, v in industries.items()}
        self._q = _reverse(self.qualifications)
        self._i = _reverse(self.industries)

    def qualification(self, name: str) -> str:
        return _lookup(self._q, name)

    def industry(self, name: str) -> str:
        return _lookup(self._i, name)

    def knows(self, kind: str, name: str) -> bool:
        """Whether ``name`` (as the profile stores it) is a canonical name or an alias of
        ``kind`` (``"qualifications"`` or ``"industries"``)."""
        return _key(name) in (self._q if kind == "qualifications" else self._i)

    def nearest(self, kind: str, name: str, n: int = 3) -> tuple[str, ...]:
        """Up to ``n`` canonical names closest to an unknown ``name``: those whose name or an
        alias contains it or is contained in it first, then by similarity of characters."""
        import difflib

        table = self._q if kind == "qualifications" else self._i
        key = _key(name)
        scored: dict[str, float] = {}
        for alias, canon in table.items():
            if not alias or not key:
                continue
            ratio = difflib.SequenceMatcher(None, key, alias).ratio()
            if key in alias or alias in key:
                ratio += 1.0
            if ratio >= 0.5 and ratio > scored.get(canon, 0.0):
                scored[canon] = ratio
        best = sorted(scored, key=lambda c: (-scored[c], c))
        return tuple(best[:n])


def _clean(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


def _key(name: str) -> str:
    text = _clean(name)
    for ch in "“”\"'‘’「」()（） ":
        text = text.replace(ch, "")
    return text


def _lookup(table: dict[str, str], name: str) -> str:
    """The canonical name of ``name``. Traditional script reads as simplified (國家高新技術企業 is
    国家高新技术企业), so both spellings of a name the table does not know are one name too."""
    found = table.get(_key(name))
    if found is not None:
        return found
    if name.isascii():
        return _clean(name)
    from .text import normalize  # NFKC and traditional → simplified; OpenCC loads on first use

    simple = normalize(name)
    return table.get(_key(simple), simple)


def _reverse(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canon, aliases in table.items():
        out[_key(canon)] = canon
        for alias in aliases:
            out.setdefault(_key(alias), canon)
    return out


@lru_cache(maxsize=1)
def alias_table() -> AliasTable:
    """The packaged alias table (read once per process, immutable afterwards)."""
    data = packaged_yaml("aliases.yaml")
    return AliasTable(data.get("qualifications", {}), data.get("industries", {}))


def canonical_qualification(name: str) -> str:
    """Return the canonical name of a qualification.

    Examples
    --------
    >>> canonical_qualification("国高新")
    '国家高新技术企业'
    >>> canonical_qualification("某县自定义荣誉")
    '某县自定义荣誉'
    """
    return alias_table().qualification(name)


@lru_cache(maxsize=8192)
def is_known_qualification(name: str) -> bool:
    """Whether the alias table knows a qualification name (canonical or alias).

    Examples
    --------
    >>> is_known_qualification("省专精特新中小企业"), is_known_qualification("某县自定义荣誉")
    (True, False)
    """
    return alias_table().knows("qualifications", name)


@lru_cache(maxsize=4096)
def is_known_industry(name: str) -> bool:
    """Whether the alias table knows an industry or cluster name (canonical or alias)."""
    return alias_table().knows("industries", name)


def nearest_names(kind: str, name: str, n: int = 3) -> tuple[str, ...]:
    """The canonical names nearest to a name the table does not know (``kind`` is
    ``"qualifications"`` or ``"industries"``).

    Examples
    --------
    >>> nearest_names("qualifications", "专精特新示范企业")[0]
    '省专精特新中小企业'
    """
    return alias_table().nearest(kind, name, n)


def canonical_industry(name: str) -> str:
    """Return the canonical industry or cluster name.

    Examples
    --------
    >>> canonical_industry("集成灶")
    '厨具电器'
    """
    return alias_table().industry(name)
