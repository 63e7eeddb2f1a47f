"""What is known about one enterprise: :class:`EnterpriseProfile`.

Every field but ``name`` is optional, and a missing field means *unknown*, never zero or empty:
``qualifications=None`` says "we did not ask", ``qualifications=[]`` says "it holds none".
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ._visible import visible_data
from .aliases import canonical_industry, canonical_qualification
from .units import MAX_MONEY, industry_section, parse_money, validate_credit_code, years_between

__all__ = ["MAX_TEXT_CHARS", "EnterpriseProfile", "Money", "PreviousYear", "Talents"]

#: Longest free text (description, 经营范围) a profile accepts, in characters.
MAX_TEXT_CHARS = 20_000


def _money(value: object, info: ValidationInfo) -> float | None:
    return parse_money(value, field=info.field_name or "amount")


def _half_width(v: object) -> object:
    """Full-width digits typed in a number field ("１２０") read as ASCII ("120")."""
    return unicodedata.normalize("NFKC", v).strip() if isinstance(v, str) else v


Money = Annotated[float | None, BeforeValidator(_money)]
"""An amount in 元; accepts numbers and strings such as ``"3500万元"``."""

ExtraValue = float | int | bool | str | list[str]


class Talents(BaseModel):
    """Head counts of talent an enterprise brought in this year (``None`` = not known)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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
        return _half_width(v)


class PreviousYear(BaseModel):
    """The figures of the year before the profile's own year (``None`` = not known).

    A 首次突破 milestone is met only when this year's figure reaches a tier that the previous
    year's did not, so these settle whether a crossing is the first. Where the firm already reached
    a higher tier in an earlier year, give that earlier peak here. ``extra`` holds the previous-year
    value of an ``extra.<key>`` quantity under the same key (``previous.extra.建筑业产值``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

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

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="企业名称")
    id: str | None = Field(None, max_length=100, description="调用方自己的企业编号（批量匹配时用）")
    credit_code: str | None = Field(None, description="统一社会信用代码（18位，校验位已核对）")
    region: str | None = Field(None, max_length=100, description="注册地县（市、区），如 嵊州市")
    town: str | None = Field(None, max_length=100, description="乡镇（街道）")
    park: str | None = Field(None, max_length=100, description="园区")
    industry: str | None = Field(None, max_length=100, description="产业或产业集群名称")
    industry_code: str | None = Field(None, max_length=5, description="GB/T 4754-2017 行业代码")
    description: str | None = Field(None, max_length=MAX_TEXT_CHARS, description="经营范围/主营业务")
    established: date | None = Field(None, description="成立日期")
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

    @model_validator(mode="before")
    @classmethod
    def _visible_text(cls, data: Any) -> Any:
        # zero-width characters and bidi marks would make "嵊州市" differ from itself
        return visible_data(data) if isinstance(data, dict) else data

    @field_validator("credit_code", mode="before")
    @classmethod
    def _check_credit_code(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if not isinstance(v, str):
            raise ValueError("统一社会信用代码 must be text of 18 characters")
        return validate_credit_code(v)

    @field_validator("industry_code", mode="before")
    @classmethod
    def _check_industry_code(cls, v: object) -> object:
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

    @field_validator("qualifications", "new_qualifications", mode="before")
    @classmethod
    def _canonical_qualifications(cls, v: object) -> object:
        if v is None:
            return None
        if isinstance(v, str):
            v = [part for part in v.replace("，", ",").replace("、", ",").split(",")]
        if not isinstance(v, (list, tuple, set, frozenset)):
            raise ValueError("expected a list of qualification names")
        if isinstance(v, (set, frozenset)):  # no order of its own: keep one that hash seeds don't change
            v = sorted(v, key=repr)
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
    def _not_yes_no(cls, v: object) -> object:
        if isinstance(v, bool):
            raise ValueError(f"{v!r} is a yes/no value, not a number")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return _half_width(v)

    @field_validator("revenue_growth", "office_area_sqm")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

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
        :func:`~policymatch.units.years_between`), or ``None`` if unknown."""
        if self.established is None:
            return None
        return years_between(self.established, as_of)

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
        from ._scale import scale_class

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


def previous_value(previous: PreviousYear | None, path: str) -> float | int | None:
    """The value of a ``previous.<field>`` or ``previous.extra.<key>`` path, ``None`` if unknown."""
    if previous is None:
        return None
    name = path[len("previous."):]
    if name.startswith("extra."):
        return previous.extra.get(name[len("extra."):])
    value: float | int | None = getattr(previous, name)
    return value
