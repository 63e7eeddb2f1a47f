"""Characters that change a comparison without showing, removed before text is compared.

A zero-width space, a right-to-left mark or a byte order mark pasted into ``嵊州市`` makes a
different string that looks the same, so a region, a qualification or a clause value would stop
matching with nothing on screen to explain why. :func:`visible` removes them; the profile and the
policy models both call it on every text they are given, so the two sides always compare the
same way. (NFKC, applied elsewhere, already turns NBSP and full-width spaces into plain spaces.)

The set is Unicode's format characters (category ``Cf``: zero-width space and joiners, bidi
marks, embeddings and isolates, word joiner, BOM, soft hyphen, tag characters…), the combining
grapheme joiner and the Hangul fillers. A test checks it against :mod:`unicodedata`.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["has_invisible", "visible", "visible_data"]

# Unicode 15 (Python 3.11-3.13) category Cf, as ranges, plus U+034F and the Hangul fillers.
INVISIBLE_RANGES = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C),
           (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2),
           (0x115F, 0x1160), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
           (0x2060, 0x2064), (0x2066, 0x206F), (0x3164, 0x3164), (0xFEFF, 0xFEFF),
           (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
           (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
           (0xE0020, 0xE007F))
_INVISIBLE = re.compile("[" + "".join(
    f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in INVISIBLE_RANGES) + "]")


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds a character :func:`visible` would remove."""
    return not text.isascii() and _INVISIBLE.search(text) is not None


def visible(text: str) -> str:
    """``text`` without zero-width characters, bidi marks and other invisible format characters.

    Examples
    --------
    >>> visible("嵊州\\u200b市\\u200f")
    '嵊州市'
    """
    if text.isascii():
        return text
    return _INVISIBLE.sub("", text)


def visible_data(value: Any) -> Any:
    """:func:`visible` applied to every text inside ``value`` (dict keys and values, lists)."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            clean = visible(key) if isinstance(key, str) else key
            if clean in out:
                raise ValueError(f"keys {clean!r} and {key!r} differ only by invisible characters; "
                                 "keep one")
            out[clean] = visible_data(item)
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(visible_data(v) for v in value)
    return value
