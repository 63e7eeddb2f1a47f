"""What is known about one enterprise: :class:`EnterpriseProfile`.

Every field but ``name`` is optional, and a missing field means *unknown*, never zero or empty:
``qualifications=None`` says "we did not ask", ``qualifications=[]`` says "it holds none".
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..aliases import canonical_industry, canonical_qualification
from ..errors import ProfileError
from ..text import visible_data
from ..units import (
    MAX_MONEY,
    industry_section,
    parse_date,
    parse_money,
    period_end,
    validate_credit_code,
    years_between,
)
from ..validation import format_validation_error, problems_message
from .cells import read_scalar, read_yes_no, split_names

__all__ = ["MAX_TEXT_CHARS", "AgeSpan", "EnterpriseProfile", "Money", "MoneyInput", "MoneyText",
           "PreviousYear", "Talents", "check_day"]

#: Longest free text (description, 经营范围) a profile accepts, in characters.
MAX_TEXT_CHARS = 20_000


def _money(value: object, info: ValidationInfo) -> float | None:
    return parse_money(value, field=info.field_name or "amount")


def _as_text(v: object) -> object:
    """A whole number in a text field (an id or code read from a table as 3841 or 3841.0) is
    its digits as text."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return v


def _half_width(v: object) -> object:
    """Full-width digits typed in a number field ("１２０") read as ASCII ("120"); "nan" and
    "inf" typed as text are refused as the float values are."""
    if not isinstance(v, str):
        return v
    text = unicodedata.normalize("NFKC", v).strip()
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise ValueError("must be a finite number")
    if _GROUPED.fullmatch(text):  # "1,200" as people write it
        text = text.replace(",", "")
    return text


_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_HEADS = re.compile(r"([0-9][0-9,]*)\s*(?:人|名)")


def _head_count(v: object) -> object:
    """A head count as people write it: "120", "120人", "1,200名" (no words like 约: a guess is
    not a count)."""
    text = _half_width(v)
    if isinstance(text, str) and (m := _HEADS.fullmatch(text)):
        return _half_width(m.group(1))
    return text


MoneyText = Annotated[str, Field(
    pattern=r"^\s*$|[0-9０-９零〇一二两三四五六七八九十百千万亿萬億壹贰叁肆伍陆柒捌玖拾佰仟]",
    description="金额文字，如 3500万元、1.2亿、3,500万、￥120万、五百万元；空白表示未知")]
"""How an amount may be written as text (the input form of the JSON Schemas)."""

MoneyInput = Annotated[float, Field(ge=0)] | MoneyText
"""What a money field accepts: a number of 元 or :data:`MoneyText`."""

Money = Annotated[float | None, BeforeValidator(_money, json_schema_input_type=MoneyInput | None)]
"""An amount in 元; accepts numbers and strings such as ``"3500万元"``."""

ExtraValue = float | int | bool | str | list[str]


class AgeSpan(NamedTuple):
    """The age of a firm whose founding date is known only to the month or year: every age from
    ``youngest`` (founded on the period's last day) to ``oldest`` (on its first)."""

    youngest: float
    oldest: float


class Talents(BaseModel):
    """Head counts of talent an enterprise brought in this year (``None`` = not known)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True,
                              json_schema_serialization_defaults_required=True)

    phd: int | None = Field(None, ge=0, le=100_000, description="新引进全职博士")
    master: int | None = Field(None, ge=0, le=100_000, description="新引进全职硕士")
    bachelor: int | None = Field(None, ge=0, le=1_000_000, description="新引进全日制本科")
    bachelor_fresh: int | None = Field(None, ge=0, le=1_000_000, description="新招应届高校毕业生")
    postdoc: int | None = Field(None, ge=0, le=10_000, description="在站博士后")
    leading_talent: int | None = Field(None, ge=0, le=10_000, description="省级以上领军人才")
    high_skilled: int | None = Field(None, ge=0, le=1_000_000, description="新引进高技能人才")
    new_hires: int | None = Field(None, ge=0, le=10_000_000, description="新招用并参保员工")

    @field_validator("*", mode="before")
    @classmethod
    def _not_yes_no(cls, v: object) -> object:
        if isinstance(v, bool):
            raise ValueError(f"{v!r} is a yes/no value, not a head count")
        return _head_count(v)


class PreviousYear(BaseModel):
    """The figures of the year before the profile's own year (``None`` = not known).

    A 首次突破 milestone is met only when this year's figure reaches a tier that the previous
    year's did not, so these settle whether a crossing is the first. Where the firm already reached
    a higher tier in an earlier year, give that earlier peak here. ``extra`` holds the previous-year
    value of an ``extra.<key>`` quantity under the same key (``previous.extra.建筑业产值``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True,
                              json_schema_serialization_defaults_required=True)

    revenue: Money = Field(None, description="上上年度营业收入（元）")
    tax_paid: Money = Field(None, description="上上年度纳税额（元）")
    export_value: Money = Field(None, description="上上年度出口额（元）")
    rd_expense: Money = Field(None, description="上上年度研发费用（元）")
    employees: int | None = Field(None, ge=0, le=5_000_000, description="上一年度从业人数")
    extra: dict[str, float] = Field(default_factory=dict, max_length=100,
                                    description="extra.<键> 所指数量的前一年度数值")

    @model_validator(mode="before")
    @classmethod
    def _flat_extra(cls, v: object) -> object:
        # ``previous.extra.建筑业产值`` arrives as the key "extra.建筑业产值" from flags and table
        # columns: fold such keys into ``extra``.
        if isinstance(v, dict) and any(isinstance(k, str) and k.startswith("extra.") for k in v):
            out = {k: x for k, x in v.items() if not (isinstance(k, str) and k.startswith("extra."))}
            extra = dict(out.get("extra") or {})
            for k, x in v.items():
                if isinstance(k, str) and k.startswith("extra."):
                    if k[6:] in extra:
                        raise ValueError(f"previous.{k} is given twice")
                    extra[k[6:]] = x
            out["extra"] = extra
            return out
        return v

    @field_validator("employees", mode="before")
    @classmethod
    def _count(cls, v: object) -> object:
        if isinstance(v, bool):
            raise ValueError(f"{v!r} is a yes/no value, not a head count")
        return _half_width(v)

    @field_validator("extra", mode="before")
    @classmethod
    def _numbers(cls, v: object) -> object:
        if not isinstance(v, dict):
            return v
        out: dict[str, float | None] = {}
        for key, x in v.items():
            if not isinstance(key, str) or not key.strip() or len(key) > 64:
                raise ValueError(f"previous.extra key {key!r} must be 1-64 characters")
            amount = parse_money(x, field=f"previous.extra.{key}")
            if amount is not None:
                out[key] = amount
        return out


class EnterpriseProfile(BaseModel):
    """One enterprise as the matcher sees it.

    Money fields are in 元 and accept human strings ("1.2亿", "3500万元"). Qualification and
    industry names are canonicalised through the packaged alias table.

    Examples
    --------
    >>> p = EnterpriseProfile(name="示例电池有限公司", revenue="1.2亿", qualifications=["国高新"])
    >>> p.revenue
    120000000.0
    >>> p.qualifications
    ('国家高新技术企业',)
    >>> p.tax_paid is None
    True
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, str_strip_whitespace=True,
                              json_schema_serialization_defaults_required=True)

    name: str = Field(min_length=1, max_length=200, description="企业名称")
    id: str | None = Field(None, max_length=100, description="调用方自己的企业编号（批量匹配时用）")
    credit_code: str | None = Field(None, description="统一社会信用代码（18位，校验位已核对）")
    region: str | None = Field(None, max_length=100, description="注册地县（市、区），如 嵊州市")
    town: str | None = Field(None, max_length=100, description="乡镇（街道）")
    park: str | None = Field(None, max_length=100, description="园区")
    industry: str | None = Field(None, max_length=100, description="产业或产业集群名称")
    industry_code: str | None = Field(None, max_length=5, description="GB/T 4754-2017 行业代码")
    description: str | None = Field(None, max_length=MAX_TEXT_CHARS, description="经营范围/主营业务")
    established: date | None = Field(None, description="成立日期（只知年份或月份时为该期间的第一天）")
    established_precision: Literal["month", "year"] | None = Field(
        None, description="成立日期只知道月份（month）或年份（year）；不填表示知道具体哪一天")
    employees: int | None = Field(None, ge=0, le=5_000_000, description="从业人数")
    revenue: Money = Field(None, description="上年度营业收入（元）")
    tax_paid: Money = Field(None, description="上年度纳税额（元）")
    rd_expense: Money = Field(None, description="上年度研发费用（元）")
    equipment_investment: Money = Field(None, description="当年设备投资额（元）")
    fixed_asset_investment: Money = Field(None, description="当年固定资产投资额（元）")
    export_value: Money = Field(None, description="上年度出口额（元）")
    loan_amount: Money = Field(None, description="贷款余额（元）")
    revenue_growth: float | None = Field(None, ge=-1.0, le=100.0,
                                         description="营业收入增长率，0.12 表示 12%")
    office_area_sqm: float | None = Field(None, ge=0, le=1e8, description="经营（办公）面积，平方米")
    qualifications: tuple[str, ...] | None = Field(None, max_length=500, description="已持有的资质荣誉")
    new_qualifications: tuple[str, ...] | None = Field(None, max_length=500,
                                                       description="当年新认定的资质荣誉")
    is_above_scale: bool | None = Field(None, description="是否规模以上（限额以上）企业")
    talents: Talents | None = Field(None, description="当年人才引进情况")
    previous: PreviousYear | None = Field(None, description="前一年度的数值（判断“首次突破”用）")
    safety_incident_free: bool | None = Field(None, description="当年未发生较大及以上安全事故")
    credit_clean: bool | None = Field(None, description="未被列入严重失信主体名单")
    extra: dict[str, ExtraValue] = Field(default_factory=dict, max_length=500,
                                         description="政策可能检查的其他事实，键名即 extra.<键>")
    # -- quantities real clauses keep asking for (added together; keep this block last) --
    digital_investment: Money = Field(None, description="当年信息化、数字化投入（软件、信息技术开发等，元）")
    cloud_expense: Money = Field(None, description="当年上云（购买云服务）费用（元）")
    land_area_mu: float | None = Field(None, ge=0, le=1e7, description="用地面积，亩")
    equipment_units: int | None = Field(None, ge=0, le=10_000_000, description="当年新购置设备台（套）数")

    def __init__(self, **data: Any) -> None:
        """Validate the facts; bad values raise :class:`~policymatch.errors.ProfileError`."""
        try:
            super().__init__(**data)
        except ValidationError as exc:
            lines = format_validation_error(exc, "profile", data, schema="profile")
            raise ProfileError(problems_message(lines)) from None

    # validation from model_validate (and of nested data) stays pydantic's own: this __init__
    # only turns the error of a direct call into the documented one
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @model_validator(mode="before")
    @classmethod
    def _founding_date(cls, data: Any) -> Any:
        """``established`` as people write it ("2019", "2019年3月", "20190305") becomes its first
        day plus ``established_precision``; text that does not read is left for the field's own
        check, which names it."""
        if not isinstance(data, dict) or data.get("established") is None:
            return data
        try:
            got = parse_date(data["established"], field="established")
        except ValueError:
            return data
        data = dict(data)
        if got is None:
            data["established"] = None
            return data
        day, precision = got
        given = data.get("established_precision")
        if given is not None and precision != "day" and given != precision:
            raise ValueError(f"established {data['established']!r} is known to the {precision}, "
                             f"but established_precision says {given!r}; give one of them")
        data["established"] = day
        if given is None and precision != "day":
            data["established_precision"] = precision
        return data

    @model_validator(mode="before")
    @classmethod
    def _visible_text(cls, data: Any) -> Any:
        # zero-width characters and bidi marks would make "嵊州市" differ from itself
        return visible_data(data) if isinstance(data, dict) else data

    @field_validator("established", mode="before")
    @classmethod
    def _check_established(cls, v: object) -> object:
        got = parse_date(v, field="established")
        return None if got is None else got[0]

    @field_validator("credit_code", mode="before")
    @classmethod
    def _check_credit_code(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if not isinstance(v, str):
            raise ValueError("统一社会信用代码 must be text of 18 characters")
        return validate_credit_code(v)

    @field_validator("industry_code", mode="before", json_schema_input_type=str | int | None)
    @classmethod
    def _check_industry_code(cls, v: object) -> object:
        v = _as_text(v)
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        text = unicodedata.normalize("NFKC", str(v)).strip().upper()
        if len(text) > 5:
            raise ValueError(f"{len(text):,} characters is too long for a GB/T 4754-2017 code; "
                             "write a letter and 2-4 digits like 'C3841'")
        industry_section(text)
        return text

    @field_validator("region", "town", "park", "industry", "description", "id", mode="before")
    @classmethod
    def _blank_is_missing(cls, v: object, info: ValidationInfo) -> object:
        v = _as_text(v)
        if isinstance(v, str) and not v.strip():
            return None
        if info.field_name == "description" and isinstance(v, str) and len(v) > MAX_TEXT_CHARS:
            raise ValueError(
                f"{len(v):,} characters is over the limit of {MAX_TEXT_CHARS:,} "
                "(policymatch.profile.MAX_TEXT_CHARS); give the main products and business only")
        return v

    @field_validator("industry")
    @classmethod
    def _canonical_industry(cls, v: str | None) -> str | None:
        return None if v is None else canonical_industry(v)

    @field_validator("qualifications", "new_qualifications", mode="before",
                     json_schema_input_type=list[str] | str | None)
    @classmethod
    def _canonical_qualifications(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None  # blank is "not known"; 无 or [] says "holds none"
        if isinstance(v, (set, frozenset)):  # no order of its own: keep one that hash seeds don't change
            v = sorted(v, key=repr)
        v = split_names(v)  # "国高新、科小", "甲;乙", "无" (holds none)
        if not isinstance(v, list):
            raise ValueError("expected a list of qualification names")
        out: list[str] = []
        for item in v:
            if not isinstance(item, str):
                raise ValueError(f"qualification names are text, got {item!r}")
            if item.strip():
                name = canonical_qualification(item)
                if name not in out:
                    out.append(name)
        return tuple(out)

    @field_validator("established")
    @classmethod
    def _plausible_date(cls, v: date | None) -> date | None:
        if v is not None and not (1900 <= v.year <= 2100):
            raise ValueError(f"established {v.isoformat()} is outside 1900-2100; check the year")
        return v

    @field_validator("employees", "revenue_growth", "office_area_sqm", mode="before")
    @classmethod
    def _not_yes_no(cls, v: object, info: ValidationInfo) -> object:
        if isinstance(v, bool):
            raise ValueError(f"{v!r} is a yes/no value, not a number")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return _head_count(v) if info.field_name == "employees" else _half_width(v)

    @field_validator("revenue_growth", "office_area_sqm")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @field_validator("is_above_scale", "safety_incident_free", "credit_clean", mode="before")
    @classmethod
    def _yes_no_words(cls, v: object) -> object:
        return read_yes_no(v)

    @field_validator("extra", mode="before")
    @classmethod
    def _read_extra(cls, v: object) -> object:
        """Text values read as what they spell ("18万" → 180000.0, "是" → True, "007" stays
        text), from JSON, flags and table cells alike."""
        if not isinstance(v, dict):
            return v
        return {k: read_scalar(x, field=f"extra.{k}") if isinstance(x, str) else x
                for k, x in v.items()}

    @field_validator("land_area_mu", "equipment_units", mode="before")
    @classmethod
    def _plain_quantity(cls, v: object) -> object:
        if isinstance(v, bool):
            raise ValueError(f"{v!r} is a yes/no value, not a number")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return _half_width(v)

    @field_validator("extra")
    @classmethod
    def _check_extra(cls, v: dict[str, ExtraValue]) -> dict[str, ExtraValue]:
        for key, value in v.items():
            if not key.strip() or len(key) > 64:
                shown = repr(key) if len(key) <= 80 else f"of {len(key):,} characters"
                raise ValueError(f"extra key {shown} must be 1-64 characters")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"extra.{key} must be a finite number, got {value!r}")
            if isinstance(value, (int, float)) and not isinstance(value, bool) \
                    and abs(value) > MAX_MONEY:
                raise ValueError(f"extra.{key} is beyond ±{MAX_MONEY:.0e}, the largest number a "
                                 "profile holds; check the unit (元, 万元 or 亿元)")
            if isinstance(value, str) and len(value) > 1000:
                raise ValueError(f"extra.{key} is longer than 1000 characters")
        return v

    @model_validator(mode="after")
    def _period_start(self) -> EnterpriseProfile:
        if self.established is not None and self.established_precision is not None:
            day = self.established
            if day.day != 1 or (self.established_precision == "year" and day.month != 1):
                raise ValueError(
                    f"established {day.isoformat()} is not the first day of its "
                    f"{self.established_precision}; write the {self.established_precision} "
                    "alone (\"2019\" or \"2019-03\") or the whole date without a precision")
        return self

    @model_validator(mode="after")
    def _new_implies_held(self) -> EnterpriseProfile:
        # A qualification recognised this year is also held: keep the two lists consistent.
        if self.new_qualifications and self.qualifications is not None:
            missing = [q for q in self.new_qualifications if q not in self.qualifications]
            if missing:
                object.__setattr__(self, "qualifications", self.qualifications + tuple(missing))
        return self

    # -- derived values (never inputs) ----------------------------------------------------
    def age_years(self, as_of: date) -> float | None:
        """Calendar years since establishment on ``as_of`` (whole on each anniversary, see
        :func:`~policymatch.units.years_between`), or ``None`` if unknown or known only as a
        range (a founding year or month: see :meth:`age_span`)."""
        if self.established is None or self.established_precision is not None:
            return None
        return years_between(self.established, as_of)

    def age_span(self, as_of: date) -> AgeSpan | None:
        """The youngest and oldest age the founding date allows on ``as_of`` (equal when the day
        is known), or ``None`` if unknown. A period that runs past ``as_of`` ends on it: the firm
        exists on the day it is judged."""
        if self.established is None:
            return None
        last = min(period_end(self.established, self.established_precision or "day"), as_of)
        return AgeSpan(years_between(last, as_of), years_between(self.established, as_of))

    def unrecognized_names(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """``(field, name, nearest known names)`` for every qualification and industry name the
        alias table does not know (each name once; tests on them are unknown, not unmet)."""
        from ..aliases import is_known_industry, is_known_qualification, nearest_names

        out: list[tuple[str, str, tuple[str, ...]]] = []
        seen: set[str] = set()
        for field in ("qualifications", "new_qualifications"):
            for name in getattr(self, field) or ():
                if name not in seen and not is_known_qualification(name):
                    seen.add(name)
                    out.append((field, name, nearest_names("qualifications", name)))
        if self.industry is not None and not is_known_industry(self.industry):
            out.append(("industry", self.industry, nearest_names("industries", self.industry)))
        return out

    @property
    def rd_ratio(self) -> float | None:
        """研发费用 / 营业收入, or ``None`` when either is unknown or revenue is zero."""
        if self.rd_expense is None or not self.revenue:
            return None
        return self.rd_expense / self.revenue

    @property
    def industry_section(self) -> str | None:
        """GB/T 4754 门类 letter derived from ``industry_code``."""
        return industry_section(self.industry_code)

    @property
    def scale_class(self) -> str | None:
        """大/中/小/微 by the 2017 statistical standard, or ``None`` when facts are missing."""
        from .scale import scale_class

        return scale_class(self.industry_code, self.employees, self.revenue)

    def get(self, path: str, as_of: date | None = None) -> Any:
        """Return the value of a field path (``revenue``, ``talents.phd``, ``extra.key``,
        ``age_years``…), ``None`` when unknown."""
        if path.startswith("extra."):
            return self.extra.get(path[6:])
        if path.startswith("talents."):
            return None if self.talents is None else getattr(self.talents, path[8:])
        if path.startswith("previous."):
            return previous_value(self.previous, path)
        if path == "age_years":
            return self.age_years(as_of or date.today())
        return getattr(self, path)


def check_day(profile: EnterpriseProfile, day: date) -> None:
    """Refuse to judge a firm on a day before it was founded (a mistyped year, most often).

    Raises
    ------
    ProfileError
        Naming ``established``, the two dates and the fix.
    """
    if profile.established is not None and profile.established > day:
        raise ProfileError(founded_after_message(profile.established, day))


def founded_after_message(established: date, day: date) -> str:
    """The reason :func:`check_day` gives (the batch path rejects such a row with it)."""
    return (f"established: {established.isoformat()} is after the day of judgement "
            f"{day.isoformat()} (as_of); check the founding year, or judge as of a later day")


def previous_value(previous: PreviousYear | None, path: str) -> float | int | None:
    """The value of a ``previous.<field>`` or ``previous.extra.<key>`` path, ``None`` if unknown."""
    if previous is None:
        return None
    name = path[len("previous."):]
    if name.startswith("extra."):
        return previous.extra.get(name[len("extra."):])
    value: float | int | None = getattr(previous, name)
    return value
