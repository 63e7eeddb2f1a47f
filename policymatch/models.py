"""The nouns of policymatch as pydantic v2 models: policy side (frozen) and result side.

Conditions and benefits are plain data, discriminated by ``kind``; nothing here is ever run as
code. :class:`~policymatch.profile.EnterpriseProfile` lives in :mod:`policymatch.profile`.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable, Iterator
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from .aliases import canonical_industry, canonical_qualification
from .descriptions import describe
from .fields import FieldKind, field_spec
from .profile import EnterpriseProfile, Money, MoneyInput
from .text import visible_data
from .units import format_money, parse_money

__all__ = [
    "AllOf", "AnyOf", "ApplicationMode", "Benefit", "Change", "Clause", "ClauseCase",
    "Condition", "EnterpriseProfile", "Estimate", "FieldTest", "FixedBenefit", "InKindBenefit",
    "InterestBenefit", "Match", "MatchReport", "Not", "Outcome", "PerUnitBenefit", "Policy",
    "PolicySet", "Question", "RatioBenefit", "Reason", "Recipient", "RentBenefit", "SearchHit",
    "Status", "Tier", "TiersBenefit", "UnrecognizedName", "Unstructured",
]


class Outcome(str, Enum):
    """Three-valued result of one condition."""

    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"


class Status(str, Enum):
    """A clause's verdict for one enterprise. Decided by rules only, never by relevance."""

    ELIGIBLE = "eligible"
    POSSIBLE = "possible"  # nothing known rules it out, but facts are missing
    INELIGIBLE = "ineligible"


class ApplicationMode(str, Enum):
    """How the benefit reaches the enterprise."""

    AUTO = "免申即享"
    APPLY = "依申请"
    FAST = "快申快享"


_M = TypeVar("_M", bound=BaseModel)


def trusted(cls: type[_M], values: dict[str, Any]) -> _M:
    """Build a model from values the library computed itself, skipping validation.

    For the matcher's hot path only (a :class:`Match` is built per clause per enterprise): every
    field must be given, already of its declared type. Tests check that such objects equal
    their validated round trip.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True,
                              json_schema_extra=describe,
                              json_schema_serialization_defaults_required=True)


# -- conditions -------------------------------------------------------------------------------
Op = Literal[">=", ">", "<=", "<", "==", "!=", "in", "not_in", "has", "not_has"]
_NUMERIC_OPS = {">=", ">", "<=", "<"}
_OPS_BY_KIND: dict[FieldKind, set[str]] = {
    FieldKind.NUMBER: _NUMERIC_OPS | {"==", "!=", "in", "not_in"},
    FieldKind.MONEY: _NUMERIC_OPS | {"==", "!="},
    FieldKind.RATIO: _NUMERIC_OPS | {"==", "!="},
    FieldKind.BOOL: {"==", "!="},
    FieldKind.TEXT: {"==", "!=", "in", "not_in"},
    FieldKind.SET: {"has", "not_has"},
}
Scalar = Union[bool, float, str]  # noqa: UP007 - order matters to pydantic's smart union
LeafValue = Union[Scalar, list[Scalar]]  # noqa: UP007


class FieldTest(_Frozen):
    """A leaf: ``field op value``, e.g. ``revenue >= 2000万``.

    ``has`` / ``not_has`` test membership in a set field (qualifications); with a list value,
    ``has`` means "has any of them" and ``not_has`` "has none of them".
    """

    kind: Literal["field"] = "field"
    field: str
    op: Op
    value: LeafValue
    label: str | None = Field(None, description="reason wording for the field, overriding its label")

    @model_validator(mode="before")
    @classmethod
    def _visible_text(cls, data: Any) -> Any:  # the profile side drops the same characters
        return visible_data(data) if isinstance(data, dict) else data

    @model_validator(mode="after")
    def _check(self) -> FieldTest:
        spec = field_spec(self.field)
        if spec is None:
            raise ValueError(
                f"unknown field {self.field!r}: use a profile field (revenue, tax_paid, "
                "qualifications, talents.phd, age_years, …) or 'extra.<name>' for another fact"
            )
        values = self.value if isinstance(self.value, list) else [self.value]
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"op {self.op!r} needs a list value, got {self.value!r}")
        if self.op in _NUMERIC_OPS and isinstance(self.value, list):
            raise ValueError(f"op {self.op!r} compares with one number, got a list")
        if spec.kind is FieldKind.ANY:
            if self.op in _NUMERIC_OPS and not all(_is_number(v) for v in values):
                raise ValueError(f"op {self.op!r} on {self.field} needs a number, got {self.value!r}")
            if not all(_finite(v) for v in values if _is_number(v)):
                raise ValueError(f"{self.field} compares with finite numbers, got {self.value!r}")
            return self
        if self.op not in _OPS_BY_KIND[spec.kind]:
            allowed = ", ".join(sorted(_OPS_BY_KIND[spec.kind]))
            raise ValueError(
                f"op {self.op!r} does not apply to {self.field} ({spec.kind.value}); use one of {allowed}"
            )
        fixed = [_coerce_value(self.field, spec.kind, v) for v in values]
        object.__setattr__(self, "value", fixed if isinstance(self.value, list) else fixed[0])
        return self


#: Derived text fields with a closed set of values: any other value could never match.
_CHOICES: dict[str, tuple[str, ...]] = {
    "scale_class": ("大型", "中型", "小型", "微型"),
    "industry_section": tuple("ABCDEFGHIJKLMNOPQRST"),
}


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _finite(v: Any) -> bool:
    """A finite number that fits a float (10**400 does not)."""
    try:
        return math.isfinite(float(v))
    except OverflowError:
        return False


def _coerce_value(field: str, kind: FieldKind, v: object) -> Scalar:
    if kind is FieldKind.MONEY:
        amount = parse_money(v, field=field)
        if amount is None:
            raise ValueError(f"{field}: empty amount")
        return amount
    if kind in (FieldKind.NUMBER, FieldKind.RATIO):
        if not _is_number(v) or not _finite(v):
            raise ValueError(f"{field} compares with numbers, got {v!r}")
        return float(v)  # type: ignore[arg-type]
    if kind is FieldKind.BOOL:
        if not isinstance(v, bool):
            raise ValueError(f"{field} is yes/no: compare with true or false, got {v!r}")
        return v
    if not isinstance(v, str):
        raise ValueError(f"{field} compares with text, got {v!r}")
    if field in _CHOICES and v not in _CHOICES[field]:
        raise ValueError(f"{field} is one of {', '.join(_CHOICES[field])}; got {v!r}")
    if field in ("qualifications", "new_qualifications"):
        return canonical_qualification(v)
    if field == "industry":
        return canonical_industry(v)
    return v


class AllOf(_Frozen):
    """Every sub-condition holds (Kleene AND)."""

    kind: Literal["all"] = "all"
    of: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(_Frozen):
    """At least one sub-condition holds (Kleene OR)."""

    kind: Literal["any"] = "any"
    of: tuple[Condition, ...] = Field(min_length=1)


class Not(_Frozen):
    """The sub-condition does not hold (unknown stays unknown)."""

    kind: Literal["not"] = "not"
    of: Condition


#: What an unstructured condition reports as missing: the words, for a person to check.
UNSTRUCTURED_PREFIX = "需人工核对："


class Unstructured(_Frozen):
    """Words of the policy that state a condition but are not (yet) a ``field op value`` test.

    An extracted draft keeps such words instead of dropping them. The leaf is always
    *unknown*, so a clause that carries one is at best ``possible`` until a reviewer writes it
    as a field test; its :attr:`label` (「需人工核对：…」) is what the match lists as missing.
    """

    kind: Literal["unstructured"] = "unstructured"
    text: str = Field(min_length=1, max_length=500, description="the words of the condition")
    span: tuple[int, int] | None = Field(None, description="[start, end) in the source text")

    @model_validator(mode="after")
    def _check(self) -> Unstructured:
        if not self.text.strip():
            raise ValueError("text is blank: give the words of the condition")
        if self.span is not None and not 0 <= self.span[0] <= self.span[1]:
            raise ValueError(f"span {list(self.span)} must be [start, end] with 0 <= start <= end")
        return self

    @property
    def label(self) -> str:
        """What a match lists as missing and a reason shows: 「需人工核对：<the words>」."""
        words = " ".join(self.text.split()).replace(";", "；")
        return UNSTRUCTURED_PREFIX + (words if len(words) <= 80 else words[:79] + "…")


def _condition_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        return v.get("kind", "field" if "field" in v else None)
    return getattr(v, "kind", None)


Condition = Annotated[
    Union[  # noqa: UP007
        Annotated[FieldTest, Tag("field")],
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[Not, Tag("not")],
        Annotated[Unstructured, Tag("unstructured")],
    ],
    Discriminator(_condition_kind),
]
"""A condition tree; a leaf may omit ``kind: field``."""

for _model in (AllOf, AnyOf, Not):
    _model.model_rebuild()


# -- benefits ---------------------------------------------------------------------------------
Rate = Annotated[float, Field(gt=0, le=1)]
Recipient = Literal["企业", "个人", "项目", "机构"]
"""Whose money it is: the enterprise itself, a person (a talent's allowance or housing subsidy
paid to him or her), a project the firm runs, or another organisation (a park's operator, an agency)."""

_RECIPIENT: Any = Field("企业", description="who receives it: 企业 (the enterprise itself), 个人 (a person, "
                   "e.g. a talent's allowance), 项目 (a project) or 机构 (another organisation)")


class _Benefit(_Frozen):
    recipient: Recipient = _RECIPIENT


def _base_field_check(field: str) -> str:
    spec = field_spec(field)
    if spec is None:
        raise ValueError(f"unknown base field {field!r}; use a profile field or 'extra.<name>'")
    if spec.kind not in (FieldKind.NUMBER, FieldKind.MONEY, FieldKind.RATIO, FieldKind.ANY):
        raise ValueError(f"base field {field!r} is {spec.kind.value}, not a number; an amount is "
                         "computed from a number, money or ratio field")
    return field


BaseField = Annotated[str, AfterValidator(_base_field_check)]


def _money_of(field: str) -> BeforeValidator:
    """Read a number or a money string ("3万") into 元; the JSON Schema's input form says so."""
    return BeforeValidator(lambda v: parse_money(v, field=field), json_schema_input_type=MoneyInput)


class FixedBenefit(_Benefit):
    """A fixed award; ``up_to`` marks "最高 N 万元" where N is a ceiling, not a promise."""

    kind: Literal["fixed"] = "fixed"
    amount: Annotated[float, _money_of("amount")]
    up_to: bool = False


class Tier(_Frozen):
    """One step of a ladder: reaching ``at`` pays ``amount`` (or ``rate`` × the base)."""

    at: float = Field(ge=0, allow_inf_nan=False)
    amount: Money = None
    rate: Rate | None = None

    @field_validator("at", mode="before", json_schema_input_type=MoneyInput)
    @classmethod
    def _at_money(cls, v: object) -> object:
        return parse_money(v, field="at") if isinstance(v, str) else v

    @model_validator(mode="after")
    def _one(self) -> Tier:
        if (self.amount is None) == (self.rate is None):
            raise ValueError("a tier pays either 'amount' or 'rate', exactly one")
        return self


class TiersBenefit(_Benefit):
    """Milestone ladder or banded ratio on one field; the highest tier reached pays."""

    kind: Literal["tiers"] = "tiers"
    field: BaseField
    tiers: tuple[Tier, ...] = Field(min_length=1)
    cap: Money = None

    @model_validator(mode="after")
    def _ordered(self) -> TiersBenefit:
        ats = [t.at for t in self.tiers]
        if any(b <= a for a, b in itertools.pairwise(ats)):
            raise ValueError(f"tiers must be in increasing order of 'at', got {ats}")
        amounts = [t.amount for t in self.tiers if t.amount is not None]
        if self.cap is not None and amounts and max(amounts) > self.cap:
            raise ValueError(f"cap {self.cap:g} is below the tier amount {max(amounts):g}")
        return self


class RatioBenefit(_Benefit):
    """``rate`` × a base field, with an optional floor (minimum payout) and cap."""

    kind: Literal["ratio"] = "ratio"
    field: BaseField
    rate: Rate
    cap: Money = None
    floor: Money = None

    @model_validator(mode="after")
    def _cap_floor(self) -> RatioBenefit:
        if self.cap is not None and self.floor is not None and self.cap < self.floor:
            raise ValueError(f"cap {self.cap:g} is below floor {self.floor:g}")
        return self


class PerUnitBenefit(_Benefit):
    """``rate`` 元 per unit (person, m², 台) per period, for ``duration`` periods, capped."""

    kind: Literal["per_unit"] = "per_unit"
    field: BaseField
    rate: Annotated[float, _money_of("rate"), Field(gt=0)]
    unit: str = "人"
    period: Literal["once", "month", "year"] = "once"
    duration: int = Field(1, ge=1, le=600)
    max_units: float | None = Field(None, gt=0, allow_inf_nan=False)
    cap: Money = None

    @model_validator(mode="after")
    def _cap(self) -> PerUnitBenefit:
        if self.cap is not None and self.cap < self.rate:
            raise ValueError(f"cap {self.cap:g} is below the amount for one unit ({self.rate:g})")
        return self


class InterestBenefit(_Benefit):
    """贴息: principal × ``base_rate`` (e.g. LPR) × ``share`` × ``years``, capped."""

    kind: Literal["interest"] = "interest"
    field: BaseField = "loan_amount"
    base_rate: float = Field(gt=0, le=0.2, description="annual reference rate, 0.0345 = 3.45%")
    share: Rate = Field(description="fraction of the reference interest that is subsidised")
    years: float = Field(1.0, gt=0, le=30)
    cap: Money = None


class RentBenefit(_Benefit):
    """Rent subsidy: area × ``rate`` 元 per m² per month × ``months``, capped."""

    kind: Literal["rent"] = "rent"
    field: BaseField = "office_area_sqm"
    rate: Annotated[float, _money_of("rate"), Field(gt=0)]
    months: int = Field(12, ge=1, le=600)
    max_area: float | None = Field(None, gt=0, allow_inf_nan=False)
    cap: Money = None

    @model_validator(mode="after")
    def _cap(self) -> RentBenefit:
        if self.cap is not None and self.cap < self.rate:
            raise ValueError(f"cap {self.cap:g} is below the amount for one m² month ({self.rate:g})")
        return self


class InKindBenefit(_Benefit):
    """A benefit that is not money (人才公寓入住, priority, 要素保障): no amount is invented."""

    kind: Literal["in_kind"] = "in_kind"
    description: str = Field(min_length=1)


Benefit = Annotated[
    Union[FixedBenefit, TiersBenefit, RatioBenefit, PerUnitBenefit,  # noqa: UP007
          InterestBenefit, RentBenefit, InKindBenefit],
    Field(discriminator="kind"),
]


# -- clauses and policies --------------------------------------------------------------------
_ID = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


class ClauseCase(_Frozen):
    """A worked example stored with a clause: a profile fragment and the expected verdict."""

    profile: dict[str, Any]
    expect: Status
    amount: Money = None
    as_of: date | None = None
    note: str | None = None

    @field_validator("profile")
    @classmethod
    def _dates_as_text(cls, v: dict[str, Any]) -> dict[str, Any]:
        # YAML reads `established: 2023-06-01` as a date and JSON as text; keep one form so a
        # policy written out and read back is equal to the original.
        return {k: x.isoformat() if isinstance(x, date) else x for k, x in v.items()}


class Clause(_Frozen):
    """One claimable item (one "条" or one benefit inside it)."""

    id: str = _ID
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=5000)
    conditions: Condition | None = None
    benefit: Benefit
    department: str | None = None
    mode: ApplicationMode = ApplicationMode.APPLY
    exclusive_group: str | None = Field(None, description="就高不重复: only the best clause counts")
    category: Literal["奖补", "减免", "权益", "资质"] = "奖补"
    materials: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    cases: tuple[ClauseCase, ...] = ()
    source: str | None = None
    review: str | None = Field(None, description="a note for a human reviewer (extracted drafts)")


class Policy(_Frozen):
    """One published policy document and its clauses."""

    id: str = _ID
    title: str = Field(min_length=1, max_length=300)
    doc_number: str | None = Field(None, description="文号, e.g. 嵊政办〔2025〕9号")
    issuer: str | None = None
    region: str | None = None
    tier: Literal["1", "9", "X"] | None = Field(None, description="place in the 1+9+X system")
    domain: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    source: str | None = None
    notice: str | None = None
    illustrative: bool = False
    conditions: Condition | None = Field(None, description="document-wide conditions for every clause")
    clauses: tuple[Clause, ...] = Field(min_length=1)

    @field_validator("tier", mode="before", json_schema_input_type=Literal["1", "9", "X", 1, 9] | None)
    @classmethod
    def _tier_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @model_validator(mode="after")
    def _check(self) -> Policy:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(
                f"valid_to {self.valid_to} is before valid_from {self.valid_from}; swap or fix them"
            )
        seen: set[str] = set()
        for clause in self.clauses:
            if clause.id in seen:
                raise ValueError(f"clause id {clause.id!r} appears twice in policy {self.id!r}")
            seen.add(clause.id)
        return self

    def active_on(self, day: date) -> bool:
        """Whether ``day`` falls within the policy's validity period."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def __repr__(self) -> str:
        n = len(self.clauses)
        return f"Policy({self.id!r}, {n} clause{'s' if n != 1 else ''})"

    def _repr_html_(self) -> str:
        from .display import policy_html

        return policy_html(self)

    def to_dataframe(self) -> Any:
        """One row per clause: policy id, tier, domain, clause id, title, benefit kind, max amount
        (元), department and mode (needs pandas)."""
        from .display import CLAUSE_COLUMNS, clause_rows, dataframe

        return dataframe(clause_rows([self]), CLAUSE_COLUMNS)


class PolicySet(_Frozen):
    """Policies loaded together; clause ids are unique across the set."""

    policies: tuple[Policy, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> PolicySet:
        seen: dict[str, str] = {}
        dup: list[str] = []
        for policy in self.policies:
            if policy.id in seen:
                dup.append(f"policy id {policy.id!r} is used twice")
            seen[policy.id] = policy.id
        clause_owner: dict[str, str] = {}
        for policy in self.policies:
            for clause in policy.clauses:
                if clause.id in clause_owner:
                    dup.append(f"clause id {clause.id!r} is in both {clause_owner[clause.id]!r} "
                               f"and {policy.id!r}")
                clause_owner[clause.id] = policy.id
        if dup:
            raise ValueError("; ".join(dup))
        return self

    def __len__(self) -> int:
        return sum(len(p.clauses) for p in self.policies)

    def items(self) -> Iterator[tuple[Policy, Clause]]:
        """Every (policy, clause) pair in file order."""
        for policy in self.policies:
            for clause in policy.clauses:
                yield policy, clause

    def clause(self, clause_id: str) -> tuple[Policy, Clause]:
        """Return the policy and clause with this id; raises :class:`UnknownClauseError`."""
        for policy, clause in self.items():
            if clause.id == clause_id:
                return policy, clause
        from .errors import UnknownClauseError

        raise UnknownClauseError(f"no clause {clause_id!r}; `policymatch list` shows the ids")

    def fingerprint(self) -> str:
        """A sha256 of the canonical JSON of every policy: equal data gives an equal value."""
        digest = hashlib.sha256()
        for policy in self.policies:
            digest.update(policy.model_dump_json().encode("utf-8"))
        return digest.hexdigest()

    def __repr__(self) -> str:
        n, m = len(self.policies), len(self)
        return f"PolicySet({n} polic{'ies' if n != 1 else 'y'}, {m} clause{'s' if m != 1 else ''})"

    def _repr_html_(self) -> str:
        from .display import policy_set_html

        return policy_set_html(self)

    def to_dataframe(self) -> Any:
        """One row per clause of every policy, columns as :meth:`Policy.to_dataframe`."""
        from .display import CLAUSE_COLUMNS, clause_rows, dataframe

        return dataframe(clause_rows(self.policies), CLAUSE_COLUMNS)


# -- results ----------------------------------------------------------------------------------
class Estimate(_Frozen):
    """An amount in 元 and how it was computed; ``amount`` is ``None`` if a base is unknown."""

    amount: float | None
    formula: str
    missing: tuple[str, ...] = ()
    is_upper_bound: bool = False


class Reason(_Frozen):
    """The verdict on one leaf condition, in plain Chinese, with the gap for unmet thresholds."""

    field: str
    op: str
    expected: Any
    actual: Any = None
    outcome: Outcome
    text: str
    gap: float | None = None


class Change(_Frozen):
    """The smallest change in one known fact that would turn an unmet leaf into a met one."""

    field: str
    current: Any
    needed: Any
    delta: float | None = None
    text: str


class Question(_Frozen):
    """A missing fact worth asking, with how much it could unlock."""

    field: str
    question: str
    clause_ids: tuple[str, ...]
    max_amount: float = 0.0
    flag: str = ""
    json_example: str = ""
    unit: str = ""

    def how(self) -> str:
        """How to give the answer, in one line: the ``policymatch match`` flag, the JSON, the unit."""
        if not self.flag:
            return ""
        unit = f"（{self.unit}）" if self.unit else ""
        return f"{self.flag}，或 JSON {self.json_example}{unit}"


class UnrecognizedName(_Frozen):
    """A qualification or industry name of the profile that the alias table does not know.

    Tests on that field are then unknown rather than unmet (the name may be another spelling),
    and the report shows it with the nearest known names so someone can correct it.
    """

    field: str = Field(description="the profile field: qualifications, new_qualifications or industry")
    name: str = Field(description="the name as given (normalised)")
    suggestions: tuple[str, ...] = Field((), description="the nearest known names, best first")
    text: str = Field(description="未识别的资质：… 是否指 …？")


class Match(_Frozen):
    """One clause's verdict for one enterprise, with reasons, amount and relevance."""

    policy_id: str
    policy_title: str
    clause_id: str
    clause_title: str
    text: str
    status: Status
    score: float = 0.0
    amount: float | None = None
    max_amount: float | None = Field(None, description="the most this clause pays anyone")
    benefit_kind: str = Field("fixed", description="fixed, tiers, ratio, per_unit, interest, rent or in_kind")
    recipient: Recipient = _RECIPIENT
    is_upper_bound: bool = False
    formula: str = ""
    reasons: tuple[Reason, ...] = ()
    missing: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    department: str | None = None
    mode: ApplicationMode = ApplicationMode.APPLY
    category: str = "奖补"
    exclusive_group: str | None = None
    counted: bool = True
    set_aside_for: str | None = None
    matched_terms: tuple[str, ...] = ()
    unrelated: bool = Field(False, description=(
        "the clause is written only for other kinds of firm than this one (by the qualifications, "
        "industries and facts its conditions name, else its policy's domain); the default table "
        "lists it only with --all. Never changes the status or the total"))

    def __repr__(self) -> str:
        amount = "" if self.amount is None else f", {format_money(self.amount)}"
        return f"Match({self.clause_id!r}, {self.status.value}{amount})"


    def amount_text(self, money: Callable[[float], str] | None = None) -> str:
        """The amount as a table shows it: 80万元, 最高3万元, ≤200万元 (ceiling only), 非资金,
        待测算; in brackets when 就高不重复 set it aside. ``money`` formats a number of 元
        (default :func:`~policymatch.units.format_money`)."""
        from .units import format_money

        fmt: Callable[[float], str] = money or format_money
        if self.amount is not None:
            text = ("最高" if self.is_upper_bound else "") + fmt(self.amount)
        elif self.benefit_kind == "in_kind":
            text = "非资金"
        elif self.max_amount is not None:
            text = f"≤{fmt(self.max_amount)}"
        else:
            text = "待测算"
        if self.recipient != "企业" and self.benefit_kind != "in_kind":
            text += f"·{self.recipient}"  # whose money it is: 216万元·个人
        return text if self.counted else f"({text})"

    def note(self) -> str:
        """One line on why: the formula, what is missing, or what would change."""
        if self.status is Status.POSSIBLE:
            labels = [(spec.label if (spec := field_spec(f)) and spec.label else f)
                      for f in self.missing]
            return "缺：" + "、".join(labels)
        if self.status is Status.INELIGIBLE:
            return "；".join(c.text for c in self.changes) or next(
                (r.text for r in self.reasons if r.outcome is Outcome.UNMET), "")
        if not self.counted:
            return f"就高不重复，让位于 {self.set_aside_for}"
        return self.formula


class SearchHit(_Frozen):
    """A clause ranked for a free-text need ("买了一批数控设备，有什么补助")."""

    clause_id: str
    clause_title: str
    policy_id: str
    policy_title: str
    score: float
    matched_terms: tuple[str, ...] = ()
    max_amount: float | None = None
    department: str | None = None


class MatchReport(_Frozen):
    """Everything :meth:`Matcher.match` found for one enterprise."""

    enterprise: str
    as_of: date
    matches: tuple[Match, ...] = ()
    inactive: tuple[str, ...] = Field((), description="clause ids outside their validity dates")
    questions: tuple[Question, ...] = ()
    total_amount: float = Field(0.0, description="元 the enterprise itself would receive from the "
                                "eligible clauses counted (就高不重复 applied); money paid to persons, "
                                "projects or other organisations is in amounts_by_recipient only")
    amounts_by_recipient: dict[str, float] = Field(
        default_factory=dict, description="元 from the eligible clauses counted, by who receives it "
        "(企业, 个人, 项目, 机构); only recipients with money appear")
    summary: str = ""
    omitted: int = Field(0, description=(
        "matches left out of `matches` by top_k; the summary, total, 就高不重复 and questions "
        "still count them"))
    unrecognized: tuple[UnrecognizedName, ...] = Field(
        (), description="qualification and industry names the alias table does not know; tests "
                        "on them are unknown, not unmet")

    @property
    def eligible(self) -> tuple[Match, ...]:
        return tuple(m for m in self.matches if m.status is Status.ELIGIBLE)

    @property
    def possible(self) -> tuple[Match, ...]:
        return tuple(m for m in self.matches if m.status is Status.POSSIBLE)

    def __repr__(self) -> str:
        return (f"MatchReport({self.enterprise!r}, eligible={len(self.eligible)}, "
                f"possible={len(self.possible)}, total={format_money(self.total_amount)})")

    def _repr_html_(self) -> str:
        from .display import report_html

        return report_html(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON (UTF-8 text, Chinese kept readable)."""
        return self.model_dump_json(indent=indent)

    def to_dataframe(self) -> Any:
        """One row per match as a pandas DataFrame (needs ``pip install policymatch[dataframe]``)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe needs pandas: pip install 'policymatch[dataframe]'") from exc
        rows = [
            {
                "clause_id": m.clause_id, "policy_id": m.policy_id, "title": m.clause_title,
                "status": m.status.value, "score": m.score, "amount": m.amount,
                "counted": m.counted, "recipient": m.recipient, "missing": list(m.missing),
                "department": m.department, "mode": m.mode.value,
            }
            for m in self.matches
        ]
        return pd.DataFrame(rows, columns=["clause_id", "policy_id", "title", "status", "score",
                                           "amount", "counted", "recipient", "missing", "department",
                                           "mode"])
