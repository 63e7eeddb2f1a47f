"""Raw table cells to validated profile values, column by column where the verdict is certain.

:func:`certify` mirrors :func:`~policymatch.profile.profile_from_row` followed by
``EnterpriseProfile.model_validate`` for the common shapes of a cell (plain numbers, ISO dates,
tidy text, known qualification lists), whole columns at once: text through Arrow's C++ kernels
(regular expressions, and its correctly rounded text → float64 parsing), numbers through numpy,
repeated cells once each. A row with a cell of any other shape is left to ``profile_from_row``
itself, so every verdict and every message stays the one-by-one one. It switches itself off
(everything goes one by one) if the profile model reads a probe cell of a certified shape
differently, and each batch checks a sample of its certified rows one by one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any

import numpy as np

from ..profile import EnterpriseProfile, is_missing
from ..profile.cells import read_scalar
from ..text import has_invisible
from ..units import MAX_MONEY, industry_section, parse_money, validate_credit_code
from .columnar import ARROW_NUMBER, arrow_column, date_column, numpy_column
from .columns import is_numeric

__all__ = ["certify", "fast_path_active"]

# -- raw cells: certain values column by column, the rest one by one ----------------------------
_PLAIN_MONEY = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_PLAIN_INT = re.compile(r"[0-9]+")
_PLAIN_FLOAT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE_FALSE = {"true": True, "false": False, "1": True, "0": False}
_YES_NO = {"是": True, "否": False}
_MONEY_FIELDS = ("revenue", "tax_paid", "rd_expense", "equipment_investment",
                 "fixed_asset_investment", "export_value", "loan_amount",
                 "digital_investment", "cloud_expense")
_SLOW = object()  # a cell whose value only the one-by-one path may decide


_SAMPLE = 8  # certified rows of each batch checked one by one against the profile model
_PROBES = {  # cells of the shapes the column path certifies, per kind of column
    "money": ("0", "1", "12.5", "350", 0, 3, 2.5, 1e8),
    "int": ("0", "7", "120", 0, 7, 12.0),
    "real": ("-3", "0.5", "12", 0.5, -1.0, 3),
    "text": ("甲", "某某有限公司", 12, 3.0),
    "established": ("2019-03-01", "2000-12-31", date(2010, 5, 6), datetime(2011, 1, 2, 3, 4)),
    "yes_no": ("是", "否", "true", "FALSE", "1", "0", True, False, 1, 0),
    "industry": ("汽车零部件及配件制造", "制造业", "不存在的行业"),
    "industry_code": ("C3670", "c36", "C"),
    "qualifications": ("高新技术企业", "高新技术企业、科技型中小企业", ["专精特新中小企业"], ()),
    "place": ("嵊州市", "三界镇", "经济开发区"),
    "extra": ("18万", "007", "是", 3, 2.5, True, ["甲", "乙"]),
}
_active: list[bool] = []


def fast_path_active() -> bool:
    """Whether every column check agrees with the profile model on probe cells of each shape it
    certifies (checked once per process): a validator that reads such a cell differently turns
    the column path off, so everything goes one by one. Each batch also checks a sample of its
    certified rows one by one (:func:`certify`)."""
    if not _active:
        _active.append(all(_probe(column, check) for column, check in _validators().items()))
    return _active[0]


def _probe_cells(column: str) -> tuple[Any, ...]:
    if column == "credit_code":
        return tuple(_valid_credit_codes())
    if column in ("region", "town", "park"):
        return _PROBES["place"]
    if column in ("qualifications", "new_qualifications"):
        return _PROBES["qualifications"]
    if column in ("is_above_scale", "safety_incident_free", "credit_clean"):
        return _PROBES["yes_no"]
    if column in ("established", "industry", "industry_code"):
        return _PROBES[column]
    kind = _kinds(column)
    return _PROBES[kind] if kind in _PROBES else ()


def _valid_credit_codes() -> list[str]:
    out = []
    for body in ("91330683MA2BXXXX0", "12330600002500000"):
        for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            try:
                out.append(validate_credit_code(body + ch))
            except ValueError:
                continue
    return out


def _probe(column: str, check: Callable[[Any], Any]) -> bool:
    """``check`` and the profile model read every probe cell of ``column`` alike."""
    from ..profile import profile_from_row

    for cell in _probe_cells(column):
        got = check(cell)
        if got is _SLOW:
            continue
        record = {"name": cell} if column == "name" else {"name": "甲", column: cell}
        if not _agrees(record, {column: got}, profile_from_row):
            return False
    return True


def _agrees(record: dict[str, Any], certified: dict[str, Any], read: Callable[..., Any]) -> bool:
    from ..errors import ProfileError
    from .columns import profile_value

    try:
        profile = read(record, name="row")
    except ProfileError:
        return False
    for key, got in certified.items():
        want = profile_value(profile, key)
        if _blank(got):  # a blank cell: NaN in a numeric column, "" or None in others
            got = None
        elif isinstance(got, float) and isinstance(want, (bool, int, float)):
            want = float(want)  # a numeric column holds yes/no as 1.0 / 0.0
        if got != want or isinstance(got, bool) != isinstance(want, bool):
            return False
    return True


def _sample_agrees(columns: dict[Any, list[Any]], by_name: dict[str, Any], ok: np.ndarray,
                   values: dict[str, Any]) -> bool:
    """A few certified rows of this batch read one by one give the same values."""
    from ..profile import profile_from_row

    rows = np.flatnonzero(ok)
    if not len(rows):
        return True
    picks = np.unique(rows[np.linspace(0, len(rows) - 1, min(len(rows), _SAMPLE)).astype(int)])
    for i in picks.tolist():
        record = {column: columns[key][i] for column, key in by_name.items()}
        certified = {k: (v[i].item() if isinstance(v, np.ndarray) else v[i])
                     for k, v in values.items()}
        if not _agrees(record, certified, profile_from_row):
            return False
    return True


def _blank(v: Any) -> bool:
    """profile_from_row's "missing": None, NaN, NaT, pandas.NA, blank text."""
    if v is None:
        return True
    kind = type(v)
    if kind is str:
        return not v or v.isspace()
    if kind is float:
        return v != v
    if kind in (int, bool, list, dict, tuple, date):
        return False

    return is_missing(v)


def _bounds(info: Any) -> tuple[float, float, int]:
    lo, hi, longest = -math.inf, math.inf, 10**9
    for m in info.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
        longest = getattr(m, "max_length", longest)
    return lo, hi, longest


def _text(v: Any, longest: int) -> Any:
    if type(v) is not str:  # profile_from_row turns whole numbers in text columns into text
        if type(v) is float and v.is_integer():
            v = int(v)
        if type(v) is not int:
            return _SLOW
        v = str(v)
    return v if v == v.strip() and 0 < len(v) <= longest and not has_invisible(v) else _SLOW


def _integer(v: Any, lo: float, hi: float) -> Any:
    kind = type(v)
    if kind is str:
        if not _PLAIN_INT.fullmatch(v):
            return _SLOW
        v = int(v)
    elif kind is float:
        if not v.is_integer():
            return _SLOW
        v = int(v)
    elif kind is not int:
        return _SLOW
    return v if lo <= v <= hi else _SLOW


def _real(v: Any, lo: float, hi: float) -> Any:
    kind = type(v)
    if kind is str:
        if not _PLAIN_FLOAT.fullmatch(v):
            return _SLOW
        v = float(v)
    elif kind is int:
        v = float(v)
    elif kind is not float:
        return _SLOW
    return v if math.isfinite(v) and lo <= v <= hi else _SLOW


def _money(v: Any) -> Any:
    if type(v) is str and len(v) <= 64 and _PLAIN_MONEY.fullmatch(v):
        x = float(v)
        return x if x <= MAX_MONEY else _SLOW
    if type(v) is bool:
        return _SLOW
    try:
        return parse_money(v, field="amount")
    except (ValueError, OverflowError):
        return _SLOW


def _yes_no(v: Any) -> Any:
    kind = type(v)
    if kind is bool:
        return v
    if kind is int and v in (0, 1):
        return bool(v)
    if kind is str:
        if v in _YES_NO:
            return _YES_NO[v]
        return _TRUE_FALSE.get(v.lower(), _SLOW) if v == v.strip() and v.isascii() else _SLOW
    return _SLOW


def _established(v: Any) -> Any:
    if type(v) is str:
        if not _ISO_DATE.fullmatch(v):
            return _SLOW
        try:
            v = date.fromisoformat(v)
        except ValueError:
            return _SLOW
    elif isinstance(v, datetime):
        v = v.date()
    elif type(v) is not date:
        return _SLOW
    return v.toordinal() if 1900 <= v.year <= 2100 else _SLOW


def _extra_value(v: Any) -> Any:
    kind = type(v)
    if kind is bool:
        return v
    if kind is int:  # the profile refuses numbers beyond ±MAX_MONEY (and 10**400 fits no float)
        return v if -MAX_MONEY <= v <= MAX_MONEY else _SLOW
    if kind is float:
        return v if math.isfinite(v) and -MAX_MONEY <= v <= MAX_MONEY else _SLOW
    if kind is str:  # read as the profile reads it: "18万" is 180000.0, "007" stays text
        if v != v.strip() or has_invisible(v):
            return _SLOW
        try:
            got = read_scalar(v)
        except ValueError:
            return _SLOW
        if type(got) is str:
            return got if len(got) <= 1000 else _SLOW
        return _extra_value(got)
    if kind is list and all(type(x) is str and x == x.strip() and not has_invisible(x) for x in v):
        return v
    return _SLOW


def _credit_code(v: Any) -> Any:
    v = _text(v, 10**9)
    if v is _SLOW:
        return v
    try:
        return validate_credit_code(v)
    except ValueError:
        return _SLOW


def _industry_code(v: Any) -> Any:
    v = _text(v, 10**9)
    if v is _SLOW:
        return v
    code = v.upper()
    try:
        industry_section(code)
    except ValueError:
        return _SLOW
    return code if len(code) <= 5 else _SLOW


def _industry(v: Any) -> Any:
    from ..aliases import canonical_industry

    v = _text(v, 100)
    return v if v is _SLOW else canonical_industry(v)


def _qualifications(v: Any) -> Any:
    if type(v) is tuple:
        v = list(v)
    if type(v) is not str and not (type(v) is list and all(type(x) is str for x in v)):
        return _SLOW
    if any(map(has_invisible, [v] if type(v) is str else v)):
        return _SLOW
    try:
        names: tuple[str, ...] = EnterpriseProfile._canonical_qualifications(v)  # type: ignore[assignment]
    except ValueError:
        return _SLOW
    return names if len(names) <= 500 else _SLOW


_CACHE_LIMIT = 20_000  # distinct cells remembered per check, for the whole process


def _cached(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Run ``fn`` once per distinct cell (names, codes and lists repeat down a column, and from
    one chunk to the next); ``fn`` is a pure function of the cell, so what it said holds for the
    rest of the process. At most :data:`_CACHE_LIMIT` cells are remembered, so a column of
    values that never repeat cannot make the memory grow with the input."""
    seen: dict[Any, Any] = {}

    def check(v: Any) -> Any:
        key = tuple(v) if type(v) is list else (type(v), v)
        try:
            return seen[key]
        except KeyError:
            out = fn(v)
            if len(seen) < _CACHE_LIMIT:
                seen[key] = out
            return out
        except TypeError:  # unhashable: no cache
            return fn(v)

    return check


_extra_text = _cached(_extra_value)  # an extra.<key> cell of a text table, whatever its key


@lru_cache(maxsize=1)
def _validators() -> dict[str, Callable[[Any], Any]]:
    from ..fields import PREVIOUS_FIELDS
    from ..profile import PreviousYear, Talents

    fields = EnterpriseProfile.model_fields
    out: dict[str, Callable[[Any], Any]] = {
        "credit_code": _credit_code, "industry_code": _cached(_industry_code),
        "industry": _cached(_industry), "established": _cached(_established),
        "qualifications": _cached(_qualifications), "new_qualifications": _cached(_qualifications),
    }
    for name in ("name", "id", "region", "town", "park", "description"):
        text = partial(_text, longest=_bounds(fields[name])[2])
        out[name] = _cached(text) if name in ("region", "town", "park") else text
    for name in _MONEY_FIELDS:
        out[name] = _money
    for name in ("employees", "revenue_growth", "office_area_sqm", "land_area_mu",
                 "equipment_units"):
        lo, hi, _ = _bounds(fields[name])
        out[name] = partial(_integer if name in ("employees", "equipment_units") else _real,
                            lo=lo, hi=hi)
    for name in ("is_above_scale", "safety_incident_free", "credit_clean"):
        out[name] = _yes_no
    for key, info in Talents.model_fields.items():
        lo, hi, _ = _bounds(info)
        out[f"talents.{key}"] = partial(_integer, lo=lo, hi=hi)
    for key in PREVIOUS_FIELDS:
        if key == "employees":
            lo, hi, _ = _bounds(PreviousYear.model_fields[key])
            out[f"previous.{key}"] = partial(_integer, lo=lo, hi=hi)
        else:
            out[f"previous.{key}"] = _money
    return out


def _kinds(column: str) -> str | None:
    """How a column can be checked whole: numbers, free text, a credit code, repeated values."""
    if column in _MONEY_FIELDS:
        return "money"
    if column in ("employees", "equipment_units", "previous.employees") or \
            column.startswith("talents."):
        return "int"
    if column.startswith("previous."):
        return "money"
    if column in ("revenue_growth", "office_area_sqm", "land_area_mu"):
        return "real"
    if column in ("name", "id", "description"):
        return "text"
    if column == "credit_code":
        return "credit"
    return "repeated"


def _bounds_of(column: str) -> tuple[float, float, int]:
    from ..profile import Talents

    if column.startswith("talents."):
        return _bounds(Talents.model_fields[column[len("talents."):]])
    if column == "previous.employees":
        from ..profile import PreviousYear

        return _bounds(PreviousYear.model_fields["employees"])
    if column in EnterpriseProfile.model_fields:
        return _bounds(EnterpriseProfile.model_fields[column])
    return -math.inf, math.inf, 10**9


def _whole_column(column: str, cells: list[Any], check: Callable[[Any], Any]
                  ) -> tuple[np.ndarray, np.ndarray | list[Any]] | None:
    """``(done, values)`` for the cells decided at once (valid, or missing), or None.

    Cells not ``done`` are left to the cell-by-cell check.
    """
    kinds = set(map(type, cells))
    kinds.discard(type(None))
    if float in kinds and kinds != {float} and all(v != v for v in cells if type(v) is float):
        cells = [None if type(v) is float else v for v in cells]  # NaN gaps in a text column
        kinds.discard(float)
    how = _kinds(column)
    if how in ARROW_NUMBER or how in ("text", "credit"):
        if kinds <= {str}:
            return arrow_column(how, cells, _bounds_of(column))
        if how in ARROW_NUMBER and kinds <= {int, float}:
            return numpy_column(how, cells, _bounds_of(column))
        return None
    if column == "established" and kinds <= {str}:
        return date_column(cells)
    if len(kinds) == 1 and next(iter(kinds)) in (str, bool, int, date):
        return _repeated_column(cells, check)
    return None


def _repeated_column(cells: list[Any], check: Callable[[Any], Any]) -> tuple[np.ndarray, Any]:
    import pandas as pd

    codes, uniques = pd.factorize(np.fromiter(cells, dtype=object, count=len(cells)))
    verdicts = [check(u) if not _blank(u) else None for u in uniques.tolist()]
    done_u = np.array([v is not _SLOW for v in verdicts] + [True], dtype=bool)
    values_u = np.empty(len(verdicts) + 1, dtype=object)
    values_u[:-1] = [None if v is _SLOW else v for v in verdicts]
    return done_u[codes], values_u[codes]


def certify(columns: dict[Any, list[Any]], n: int, keep: Iterable[str], *,
            text_cells: bool = False) -> tuple[np.ndarray, dict[str, Any]]:
    """Validate table columns (column name → cells) where the verdict is certain.

    Returns, per row, whether it is certainly valid, and for the attributes in ``keep``
    (``established`` as a day ordinal) the validated values: a float64 array (NaN = unknown) for
    numeric attributes, a list otherwise. A row marked ``False`` must go through
    :func:`~policymatch.profile.profile_from_row`; its values here are placeholders. Column names
    are stripped as ``profile_from_row`` does; nested ``talents``/``extra`` dicts go one by one.
    """
    keep = set(keep)
    values: dict[str, Any] = {k: np.full(n, np.nan) if is_numeric(k) else [None] * n
                              for k in keep}
    names = [str(c).strip() for c in columns]
    if not fast_path_active() or len(set(names)) != len(names) or "name" not in names:
        return np.zeros(n, dtype=bool), values
    ok = np.ones(n, dtype=bool)
    validators = _validators()
    n_extra = sum(1 for c in names if c.startswith("extra."))
    n_previous = sum(1 for c in names if c.startswith("previous.extra."))
    by_name = dict(zip(names, columns, strict=True))
    for column in names:
        cells = columns[by_name[column]]
        check = validators.get(column)
        if column.startswith("extra."):
            key = column[len("extra."):]
            if key.strip() and len(key) <= 64 and n_extra <= 500:
                check = _extra_text if text_cells else _extra_value
        elif column.startswith("previous.extra."):
            key = column[len("previous.extra."):]
            if key.strip() and len(key) <= 64 and n_previous <= 100:
                check = _money
        if check is None:  # a column the profile does not have: fine only where blank
            ok &= np.fromiter((_blank(v) for v in cells), dtype=bool, count=n)
            continue
        out = values.get(column)
        whole = _whole_column(column, cells, check)
        if whole is None:
            done = np.zeros(n, dtype=bool)
        else:
            done, got = whole
            if out is not None:
                if isinstance(out, np.ndarray):
                    out[done] = np.asarray(got, dtype=np.float64)[done]
                elif done.all():
                    out[:] = got
                else:
                    out[:] = [v if d else None for v, d in zip(got, done.tolist(), strict=True)]
        for i in np.flatnonzero(~done).tolist():
            v = cells[i]
            if _blank(v):
                continue
            got_one = check(v)
            if got_one is _SLOW:
                ok[i] = False
            elif out is not None:
                out[i] = got_one
    ok &= ~np.fromiter((_blank(v) for v in columns[by_name["name"]]), dtype=bool, count=n)
    if "qualifications" in values and "new_qualifications" in by_name:
        held = values["qualifications"]
        new_cells = columns[by_name["new_qualifications"]]
        for i, v in enumerate(new_cells):  # a qualification recognised this year is also held
            if ok[i] and held[i] is not None and not _blank(v):
                more = tuple(q for q in validators["new_qualifications"](v) if q not in held[i])
                if more:
                    held[i] = held[i] + more
    if not _sample_agrees(columns, by_name, ok, values):
        return np.zeros(n, dtype=bool), values
    return ok, values
