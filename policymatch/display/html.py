"""Rich display for notebooks: HTML tables of reports and policies, and clause rows for pandas.

Every piece of text that came from data (enterprise names, clause titles, reasons) goes through
:func:`html.escape`, so a name such as ``<script>`` shows as text and never runs. Styles are
inline (notebook front ends drop ``<style>`` blocks of untrusted output); class names
(``pm-eligible`` …) are there for tests and for anyone who wants to restyle the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import Match, MatchReport, Policy, PolicySet

__all__ = ["CLAUSE_COLUMNS", "clause_rows", "dataframe", "policy_html", "policy_set_html", "report_html", "wan"]

_STATUS_NAME = {"eligible": "可享受", "possible": "待确认", "ineligible": "不符合"}
_STATUS_COLOUR = {"eligible": "#1a7f37", "possible": "#9a6700", "ineligible": "#6e7781"}
_OUTCOME_MARK = {"met": "✓", "unmet": "✗", "unknown": "?"}
_TABLE = "border-collapse:collapse;font-size:13px;margin:4px 0"
_CELL = "padding:3px 8px;border-bottom:1px solid rgba(128,128,128,.3);text-align:left;vertical-align:top"
_NUM = _CELL.replace("text-align:left", "text-align:right") + ";white-space:nowrap"
_MUTED = "opacity:.7;font-size:12px"

#: Columns of :meth:`Policy.to_dataframe` / :meth:`PolicySet.to_dataframe`, in order.
CLAUSE_COLUMNS = ("policy_id", "tier", "domain", "clause_id", "title", "benefit_kind",
                  "max_amount", "department", "mode")


def wan(amount: float) -> str:
    """An amount of 元 as a number of 万元 for a table column: ``2_350_000 -> '235'``.

    Examples
    --------
    >>> wan(2_350_000), wan(8_000), wan(123_456_789)
    ('235', '0.8', '12,345.68')
    """
    return f"{amount / 1e4:,.2f}".rstrip("0").rstrip(".")


def _e(value: object) -> str:
    return escape("" if value is None else str(value))


def _badge(status: str) -> str:
    colour = _STATUS_COLOUR[status]
    return (f'<span class="pm-status pm-{status}" style="background:{colour};color:#fff;'
            f'border-radius:3px;padding:0 6px;white-space:nowrap">{_STATUS_NAME[status]}</span>')


def _table(headers: Sequence[str], rows: Iterable[str], numeric: Sequence[int] = ()) -> str:
    head = "".join(f'<th style="{_NUM if i in numeric else _CELL}">{_e(h)}</th>'
                   for i, h in enumerate(headers))
    return (f'<table class="pm-table" style="{_TABLE}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _amount_cell(m: Match) -> str:
    return f'<td class="pm-amount" style="{_NUM}">{_e(m.amount_text(wan))}</td>'


def _reasons(m: Match) -> str:
    if not m.reasons:
        return ""
    items = "".join(f'<li class="pm-{r.outcome.value}">{_OUTCOME_MARK[r.outcome.value]} {_e(r.text)}</li>'
                    for r in m.reasons)
    return (f'<details style="{_MUTED}"><summary>依据 {len(m.reasons)} 条</summary>'
            f'<ul style="margin:2px 0;padding-left:18px">{items}</ul></details>')


def _match_row(m: Match) -> str:
    status = m.status.value
    title = _e(m.clause_title)
    policy = f'<div style="{_MUTED}">{_e(m.policy_title)}</div>'
    dept = _e(m.department or "")
    return (f'<tr class="pm-row pm-{status}"><td style="{_CELL}">{_badge(status)}</td>'
            f'<td style="{_CELL}"><code>{_e(m.clause_id)}</code></td>'
            f'<td style="{_CELL}">{title}{policy}</td>{_amount_cell(m)}'
            f'<td style="{_CELL}">{_e(m.note())}{_reasons(m)}</td>'
            f'<td style="{_CELL}">{dept}<div style="{_MUTED}">{_e(m.mode.value)}</div></td></tr>')


def report_html(report: MatchReport) -> str:
    """The report as one HTML fragment: heading, a table of matches, the next questions."""
    head = (f'<div class="pm-head" style="margin-bottom:4px"><strong class="pm-enterprise">'
            f'{_e(report.enterprise)}</strong> <span style="{_MUTED}">{report.as_of.isoformat()}'
            f'</span><br><span class="pm-summary">{_e(report.summary)}</span></div>')
    headers = ["状态", "条款", "标题", "金额（万元）", "说明", "责任单位"]
    # possible clauses written for other kinds of firm: folded, never left out
    other = [m for m in report.matches if m.unrelated and m.status.value == "possible"]
    main = [m for m in report.matches if not (m.unrelated and m.status.value == "possible")]
    if main:
        body = _table(headers, (_match_row(m) for m in main), numeric=[3])
    else:
        body = '<p class="pm-empty">没有找到可享受或待确认的条款。</p>'
    parts = [head, body]
    if other:
        parts.append(f'<details class="pm-other"><summary style="{_MUTED}">另有 {len(other)} 条'
                     f'待确认的条款面向其他类型的企业</summary>'
                     f'{_table(headers, (_match_row(m) for m in other), numeric=[3])}</details>')
    if report.unrecognized:
        items = "".join(f"<li>{_e(u.text)}</li>" for u in report.unrecognized)
        parts.append(f'<div class="pm-unrecognized"><strong>未识别的名称</strong>'
                     f'<ul style="margin:2px 0">{items}</ul></div>')
    if report.questions:
        items = "".join(f"<li>{_e(q.question)}" + (f'<br><small>填写：{_e(q.how())}</small>'
                                                     if q.how() else "") + "</li>"
                        for q in report.questions[:8])
        parts.append(f'<div class="pm-questions"><strong>建议补充询问</strong>'
                     f'<ol style="margin:2px 0">{items}</ol></div>')
    if any(not m.counted for m in report.matches):
        parts.append(f'<div style="{_MUTED}">括号内金额因就高不重复未计入合计。</div>')
    parts.append(f'<div style="{_MUTED}">金额为按已知信息的测算，以主管部门审核为准。</div>')
    return f'<div class="pm-report">{"".join(parts)}</div>'


def clause_rows(policies: Iterable[Policy]) -> list[dict[str, Any]]:
    """One plain dict per clause with the :data:`CLAUSE_COLUMNS` (max amount in 元)."""
    from ..benefits import max_amount

    return [
        {"policy_id": p.id, "tier": p.tier, "domain": p.domain, "clause_id": c.id,
         "title": c.title, "benefit_kind": c.benefit.kind, "max_amount": max_amount(c.benefit),
         "department": c.department, "mode": c.mode.value}
        for p in policies for c in p.clauses
    ]


def _dates(policy: Policy) -> str:
    if policy.valid_from is None and policy.valid_to is None:
        return ""
    start = policy.valid_from.isoformat() if policy.valid_from else "…"
    end = policy.valid_to.isoformat() if policy.valid_to else "…"
    return f"{start} 至 {end}"


def policy_html(policy: Policy) -> str:
    """The policy's heading facts and a table of its clauses."""
    facts = [f for f in (policy.doc_number, policy.issuer,
                         f"“{policy.tier}”" if policy.tier else None, policy.domain,
                         _dates(policy)) if f]
    head = (f'<div class="pm-head"><strong>{_e(policy.title)}</strong> '
            f'<code>{_e(policy.id)}</code><div style="{_MUTED}">{_e(" · ".join(facts))}</div></div>')
    notice = (f'<div class="pm-notice" style="{_MUTED}">{_e(policy.notice)}</div>'
              if policy.notice else "")
    rows = []
    for row, clause in zip(clause_rows([policy]), policy.clauses, strict=True):
        top = row["max_amount"]
        rows.append(
            f'<tr class="pm-row"><td style="{_CELL}"><code>{_e(clause.id)}</code></td>'
            f'<td style="{_CELL}">{_e(clause.title)}</td>'
            f'<td style="{_CELL}">{_e(clause.category)}</td>'
            f'<td style="{_NUM}">{_e(wan(top) if top is not None else "—")}</td>'
            f'<td style="{_CELL}">{_e(clause.department or "")}</td>'
            f'<td style="{_CELL}">{_e(clause.mode.value)}</td></tr>')
    table = _table(["条款", "标题", "类别", "最高金额（万元）", "责任单位", "方式"], rows, numeric=[3])
    return f'<div class="pm-policy">{head}{notice}{table}</div>'


def policy_set_html(policy_set: PolicySet) -> str:
    """One row per policy document: id, title, tier, domain and how many clauses."""
    rows = [
        f'<tr class="pm-row"><td style="{_CELL}"><code>{_e(p.id)}</code></td>'
        f'<td style="{_CELL}">{_e(p.title)}</td><td style="{_CELL}">{_e(p.tier or "")}</td>'
        f'<td style="{_CELL}">{_e(p.domain or "")}</td><td style="{_NUM}">{len(p.clauses)}</td></tr>'
        for p in policy_set.policies
    ]
    head = (f'<div class="pm-head">{len(policy_set.policies)} 个政策文件，'
            f"{len(policy_set)} 条</div>")
    return (f'<div class="pm-policy-set">{head}'
            f'{_table(["政策", "标题", "层级", "领域", "条数"], rows, numeric=[4])}</div>')


def dataframe(rows: list[dict[str, Any]], columns: Sequence[str]) -> Any:
    """A pandas DataFrame of ``rows`` with ``columns`` (pandas is imported here, on first use)."""
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("to_dataframe needs pandas: pip install 'policymatch[dataframe]'") from exc
    return pd.DataFrame(rows, columns=list(columns))
