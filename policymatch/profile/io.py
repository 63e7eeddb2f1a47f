"""Reading enterprise profiles: a JSON file, JSON bytes or a dict, and a flat table row.

Every source ends in :meth:`EnterpriseProfile.model_validate <policymatch.EnterpriseProfile>`, so a
value means the same wherever it was written; problems are collected and raised once as a
:class:`~policymatch.errors.ProfileError` naming the source, the field, the value and the fix.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from ..errors import PolicyFileError, ProfileError
from ..fields import FieldKind, field_spec
from ..files import DuplicateKey, decode_text, read_bounded, unique_keys
from ..validation import format_validation_error, problems_message
from .model import EnterpriseProfile

__all__ = ["MAX_PROFILE_BYTES", "is_missing", "load_profile", "profile_from_row"]

#: A profile JSON larger than this is refused.
MAX_PROFILE_BYTES = 1_000_000


class _HasItems(Protocol):
    """Anything with ``.items()`` of (column, value) pairs: a dict or a pandas Series."""

    def items(self) -> Iterable[tuple[Any, Any]]: ...


def load_profile(source: str | os.PathLike[str] | dict[str, Any] | bytes) -> EnterpriseProfile:
    """Read an :class:`EnterpriseProfile` from a JSON file path, JSON bytes or a dict.

    Raises
    ------
    ProfileError
        Naming the file, each bad field, the value and the fix.
    """
    name = "profile"
    if isinstance(source, dict):
        raw: Any = source
    else:
        if isinstance(source, bytes):
            data = source
        else:
            name = str(source)
            try:
                got = read_bounded(Path(source), MAX_PROFILE_BYTES, "profile JSON")
            except (OSError, ValueError) as exc:
                raise ProfileError(str(exc) if not isinstance(exc, PermissionError)
                                   else f"{name}: cannot be read (permission denied)") from None
            if got is None:
                raise ProfileError(f"{name}: larger than {MAX_PROFILE_BYTES:,} bytes; a profile "
                                   "is one enterprise's facts")
            data = got
        if len(data) > MAX_PROFILE_BYTES:
            raise ProfileError(f"{name}: larger than {MAX_PROFILE_BYTES:,} bytes")
        try:
            raw = json.loads(decode_text(data, name), object_pairs_hook=unique_keys)
        except PolicyFileError as exc:
            raise ProfileError(str(exc)) from None
        except json.JSONDecodeError as exc:
            raise ProfileError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                               f"{exc.msg})") from None
        except DuplicateKey as exc:
            raise ProfileError(f"{name}: key {exc.args[0]!r} appears twice in one object; keep "
                               "one (JSON readers disagree on which one wins)") from None
        except RecursionError:
            raise ProfileError(f"{name}: nested too deeply to be a profile") from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise ProfileError(f"{name}: not a readable JSON value ({exc})") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{name}: expected a JSON object with at least \"name\"")
    try:
        return EnterpriseProfile.model_validate(raw)
    except ValidationError as exc:
        lines = format_validation_error(exc, name, raw, schema="profile")
        raise ProfileError(problems_message(lines)) from None


def is_missing(value: Any) -> bool:
    """None, NaN, NaT, pandas.NA and blank text are all "not known"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)  # NaN is the one value unequal to itself
    except (TypeError, ValueError):  # arrays and other containers
        return False


def _plain_cell(value: Any) -> Any:
    """A pandas/numpy cell as a plain Python value (numpy scalars, arrays, timestamps)."""
    if type(value) in (str, bool, int, float, list, dict):  # numpy.float64 is a float subclass
        return value
    if isinstance(value, datetime):
        return value.date()
    if hasattr(value, "tolist"):  # numpy scalars and arrays, pandas arrays
        return value.tolist()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return value


def profile_from_row(row: Mapping[str, Any] | _HasItems, *, name: str | None = None) -> EnterpriseProfile:
    """Build an :class:`EnterpriseProfile` from a flat record such as a pandas row.

    A table carries gaps as ``NaN`` and lists as text, which ``EnterpriseProfile.model_validate``
    would refuse. Here:

    * ``None``, ``NaN``, ``NaT``, ``pandas.NA`` and blank text mean *missing* (the field is left
      out, never set to 0);
    * columns ``talents.<x>``, ``extra.<key>`` and ``previous.<x>`` (``previous.extra.<key>``) fill
      the nested ``talents``, ``extra`` and ``previous``;
    * numpy scalars and arrays become plain Python values, timestamps become dates, whole-number
      floats in text columns (``industry_code`` read as ``3841.0``) become ``"3841"``;
    * every value is then read by the profile itself, as from JSON or ``--set``: qualification
      text ``"国高新、专精特新"`` or ``"甲;乙"`` is split into names (``无`` says "holds none"),
      ``是``/``否`` answer yes/no fields, ``extra.<key>`` text that spells a number or an amount
      (``"18万"``) is one, and ``"007"`` stays text (see :mod:`policymatch.profile.cells`).

    Parameters
    ----------
    row : mapping or pandas Series
        Column name → value, e.g. ``df.iloc[0]`` or one dict of ``df.to_dict("records")``.
    name : str, optional
        How the row is called in error messages (default: its ``name`` or ``id`` column).

    Raises
    ------
    ProfileError
        Naming the row, each bad field and the value.

    Examples
    --------
    >>> p = profile_from_row({"name": "甲", "revenue": float("nan"), "employees": 120.0,
    ...                       "qualifications": "国高新、专精特新", "talents.phd": 2, "extra.亩均评价": "A"})
    >>> p.revenue is None, p.employees, p.qualifications, p.talents.phd, p.extra
    (True, 120, ('国家高新技术企业', '省专精特新中小企业'), 2, {'亩均评价': 'A'})
    """
    data: dict[str, Any] = {}
    seen: set[str] = set()
    dotted: set[str] = set()  # the heads of dotted columns (talents of talents.phd)
    for key, raw in row.items():
        column = str(key).strip()
        head, dot, rest = column.partition(".")
        if column in seen or (dot and head in seen) or column in dotted:
            other = column if column in seen else (head if dot and head in seen else f"{column}.…")
            raise ProfileError(f"{name or 'row'}: columns {other!r} and {column!r} give the same "
                               "field twice; keep one (it is not clear which one holds the value)")
        seen.add(column)
        if dot:
            dotted.add(head)
        value = _plain_cell(raw)
        if is_missing(value):
            continue
        spec = field_spec(column)
        if (spec is not None and spec.kind is FieldKind.TEXT) or column == "id":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
        if dot and head in ("talents", "extra", "previous"):
            data.setdefault(head, {})[rest] = value
        else:
            data[column] = value
    label = name or str(data.get("name") or data.get("id") or "row")
    try:
        return EnterpriseProfile.model_validate(data)
    except ValidationError as exc:
        lines = format_validation_error(exc, label, data, schema="profile")
        raise ProfileError(problems_message(lines)) from None
