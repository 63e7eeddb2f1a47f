"""The policy side: a policy document, its clauses, their condition trees and benefits (frozen).

Conditions and benefits are plain data, discriminated by ``kind``; nothing here is ever run as
code. :class:`~policymatch.profile.EnterpriseProfile` lives in :mod:`policymatch.profile`.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import weakref
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from ..aliases import canonical_industry, canonical_qualification
from ..errors import UnknownClauseError
from ..fields import FieldKind, field_spec
from ..profile import Money, MoneyInput
from ..text import visible_data
from ..units import parse_money
from .base import ApplicationMode, FrozenModel, Status, view

__all__ = [
    "UNSTRUCTURED_PREFIX", "AllOf", "AnyOf", "Benefit", "Clause", "ClauseCase", "Condition",
    "FieldTest", "FixedBenefit", "InKindBenefit", "InterestBenefit", "Not", "PerUnitBenefit",
    "Policy", "PolicySet", "RatioBenefit", "Recipient", "RentBenefit", "Tier", "TiersBenefit",
    "Unstructured", "known_fingerprint",
]


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


class FieldTest(FrozenModel):
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


class AllOf(FrozenModel):
    """Every sub-condition holds (Kleene AND)."""

    kind: Literal["all"] = "all"
    of: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(FrozenModel):
    """At least one sub-condition holds (Kleene OR)."""

    kind: Literal["any"] = "any"
    of: tuple[Condition, ...] = Field(min_length=1)


class Not(FrozenModel):
    """The sub-condition does not hold (unknown stays unknown)."""

    kind: Literal["not"] = "not"
    of: Condition


#: What an unstructured condition reports as missing: the words, for a person to check.
UNSTRUCTURED_PREFIX = "需人工核对："


class Unstructured(FrozenModel):
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


# -- benefits ---------------------------------------------------------------------------------
Rate = Annotated[float, Field(gt=0, le=1)]
Recipient = Literal["企业", "个人", "项目", "机构"]
"""Whose money it is: the enterprise itself, a person (a talent's allowance or housing subsidy
paid to him or her), a project the firm runs, or another organisation (a park's operator, an agency)."""

RECIPIENT_FIELD: Any = Field("企业", description="who receives it: 企业 (the enterprise itself), 个人 (a person, "
                   "e.g. a talent's allowance), 项目 (a project) or 机构 (another organisation)")


class _Benefit(FrozenModel):
    recipient: Recipient = RECIPIENT_FIELD


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


class Tier(FrozenModel):
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


class ClauseCase(FrozenModel):
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


class Clause(FrozenModel):
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


class Policy(FrozenModel):
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
        return str(view("policy_html")(self))

    def to_dataframe(self) -> Any:
        """One row per clause: policy id, tier, domain, clause id, title, benefit kind, max amount
        (元), department and mode (needs pandas)."""
        return view("clause_frame")([self])


class PolicySet(FrozenModel):
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
        raise UnknownClauseError(f"no clause {clause_id!r}; `policymatch list` shows the ids")

    def fingerprint(self) -> str:
        """A sha256 of the canonical JSON of every policy: equal data gives an equal value.

        Computed once per set (a set is frozen)."""
        known = _FINGERPRINTS.get(id(self))
        if known is not None and known[0]() is self:
            return known[1]
        digest = hashlib.sha256()
        for policy in self.policies:
            digest.update(policy.model_dump_json().encode("utf-8"))
        return known_fingerprint(self, digest.hexdigest()).fingerprint()

    def __repr__(self) -> str:
        n, m = len(self.policies), len(self)
        return f"PolicySet({n} polic{'ies' if n != 1 else 'y'}, {m} clause{'s' if m != 1 else ''})"

    def _repr_html_(self) -> str:
        return str(view("policy_set_html")(self))

    def to_dataframe(self) -> Any:
        """One row per clause of every policy, columns as :meth:`Policy.to_dataframe`."""
        return view("clause_frame")(self.policies)


#: id of a set → (a weak reference to it, its fingerprint); an entry leaves with its set.
_FINGERPRINTS: dict[int, tuple[weakref.ref[PolicySet], str]] = {}


def known_fingerprint(policy_set: PolicySet, fingerprint: str) -> PolicySet:
    """Record what ``policy_set.fingerprint()`` returns, and return the set.

    :meth:`PolicySet.fingerprint` records its own result; the compiled corpus records the
    fingerprint computed when it was built, so loading it serialises nothing.
    """
    key = id(policy_set)
    _FINGERPRINTS[key] = (weakref.ref(policy_set, lambda _: _FINGERPRINTS.pop(key, None)),
                          fingerprint)
    return policy_set
