"""The result side: what a match found for one enterprise, and why.

:class:`MatchReport` holds a :class:`Match` per clause, each with its :class:`Reason` per leaf
condition, the :class:`Change` that would help, the :class:`Estimate` of its amount; the report's
:class:`Question` list says which missing facts are worth asking. Every property is described in
the published JSON Schema (:mod:`policymatch.descriptions`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import Field

from ..fields import field_spec
from ..units import format_money
from .base import ApplicationMode, DeferredModel, FrozenModel, Outcome, Status, view
from .policy import RECIPIENT_FIELD, Recipient

__all__ = ["Change", "Estimate", "Match", "MatchReport", "Question", "Reason", "SearchHit",
           "UnrecognizedName"]


class Estimate(FrozenModel):
    """An amount in 元 and how it was computed; ``amount`` is ``None`` if a base is unknown."""

    amount: float | None
    formula: str
    missing: tuple[str, ...] = ()
    is_upper_bound: bool = False


class Reason(FrozenModel):
    """The verdict on one leaf condition, in plain Chinese, with the gap for unmet thresholds."""

    field: str
    op: str
    expected: Any
    actual: Any = None
    outcome: Outcome
    text: str
    gap: float | None = None


class Change(FrozenModel):
    """The smallest change in one known fact that would turn an unmet leaf into a met one."""

    field: str
    current: Any
    needed: Any
    delta: float | None = None
    text: str


class Question(FrozenModel):
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


class UnrecognizedName(FrozenModel):
    """A qualification or industry name of the profile that the alias table does not know.

    Tests on that field are then unknown rather than unmet (the name may be another spelling),
    and the report shows it with the nearest known names so someone can correct it.
    """

    field: str = Field(description="the profile field: qualifications, new_qualifications or industry")
    name: str = Field(description="the name as given (normalised)")
    suggestions: tuple[str, ...] = Field((), description="the nearest known names, best first")
    text: str = Field(description="未识别的资质：… 是否指 …？")


class Match(DeferredModel):
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
    recipient: Recipient = RECIPIENT_FIELD
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


class SearchHit(FrozenModel):
    """A clause ranked for a free-text need ("买了一批数控设备，有什么补助")."""

    clause_id: str
    clause_title: str
    policy_id: str
    policy_title: str
    score: float
    matched_terms: tuple[str, ...] = ()
    max_amount: float | None = None
    department: str | None = None


class MatchReport(DeferredModel):
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
        return str(view("report_html")(self))

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
