"""One reading of a profile value written as text, wherever it comes from.

A flag (``--set extra.保费=18万``), a JSON string, a dict, a DataFrame cell and a CSV cell that
hold the same text mean the same value. :class:`~policymatch.profile.EnterpriseProfile`'s
validators call these functions, so every source goes through them:

* :func:`read_scalar` for an ``extra.<key>`` value: yes/no words, numbers and amounts of money
  become ``bool``/``int``/``float``; a whole number written with a leading zero (``"007"``) is a
  code and stays text;
* :func:`split_names` for a list of qualification names written as one text, on the separators
  people use (、，,;；, new lines); ``"无"`` (or ``"没有"``, ``"none"``) says the firm holds none;
* :func:`read_yes_no` for a yes/no field: ``是``/``否`` as well as ``true``/``false``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

__all__ = ["NONE_WORDS", "SEPARATORS", "read_scalar", "read_yes_no", "split_names"]

#: Text that says "holds none" in a list field (a blank cell says "not known").
NONE_WORDS = frozenset({"无", "没有", "none", "无资质"})
#: Characters that separate names in one text (full-width forms read as these after NFKC).
SEPARATORS = "、，,;；\n\r\t"
_SPLIT = re.compile(f"[{re.escape(SEPARATORS)}]")
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_YES = {"true": True, "false": False, "是": True, "否": False}


def read_scalar(text: str, *, field: str = "value") -> Any:
    """The value a text stands for in an ``extra.<key>`` field.

    Raises
    ------
    ValueError
        For a number too large for a float (``"1e400"``): it is a number, not text.

    Examples
    --------
    >>> read_scalar("18万"), read_scalar("12"), read_scalar("0.5"), read_scalar("是")
    (180000.0, 12, 0.5, True)
    >>> read_scalar("007"), read_scalar("国有企业")
    ('007', '国有企业')
    """
    word = unicodedata.normalize("NFKC", text).strip()
    yes_no = _YES.get(word.lower())
    if yes_no is not None:
        return yes_no
    if _INTEGER.match(word):
        digits = word.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0"):
            return text.strip()  # a code such as 007 keeps its zeros
        if len(digits) > 300:
            raise ValueError(f"{field}: a number of {len(digits):,} digits is beyond any amount")
        return int(word)
    if _NUMBER.match(word):
        number = float(word)
        if not math.isfinite(number):
            raise ValueError(f"{field} must be a finite number, got {number!r}")
        return number
    if any(unit in word for unit in ("万", "亿", "元")) and len(word) <= 64:
        from ..units import parse_money

        try:
            amount = parse_money(word, field=field)
        except ValueError:
            return text.strip()
        if amount is not None:
            return amount
    return text.strip()


def split_names(value: Any) -> Any:
    """A list of names from one text or a list of texts (each may hold several names).

    Returns a list of stripped, non-empty names (``[]`` for a "holds none" word) or ``value``
    itself when it is neither text nor a list (the caller refuses it).

    Raises
    ------
    ValueError
        When a "holds none" word stands next to names.

    Examples
    --------
    >>> split_names("省科技型中小企业;国家高新技术企业")
    ['省科技型中小企业', '国家高新技术企业']
    >>> split_names("无")
    []
    """
    if isinstance(value, str):
        items: list[Any] = [value]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return value
    names: list[Any] = []
    for item in items:
        if not isinstance(item, str):
            names.append(item)  # the caller names the bad item
            continue
        for part in _SPLIT.split(unicodedata.normalize("NFKC", item)
                                 if not item.isascii() else item):
            if part.strip():
                names.append(part.strip())
    none = [n for n in names if isinstance(n, str) and n.lower() in NONE_WORDS]
    if none and len(none) < len(names):
        raise ValueError(f"{none[0]!r} says the firm holds none, but names are listed beside it; "
                         "give the names, or 无 alone")
    return [] if none else names


def read_yes_no(value: Any) -> Any:
    """``是``/``否`` (and ``true``/``false`` in any case) as ``True``/``False``; anything else
    unchanged, for the field's own check.

    Examples
    --------
    >>> read_yes_no("是"), read_yes_no(" FALSE "), read_yes_no(1)
    (True, False, 1)
    """
    if isinstance(value, str):
        got = _YES.get(unicodedata.normalize("NFKC", value).strip().lower())
        if got is not None:
            return got
    return value
