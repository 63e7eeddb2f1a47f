"""A match report as the ``policymatch match`` text: a summary, one row per clause, the questions."""

from __future__ import annotations

from typing import Any

__all__ = ["render_report"]


def render_report(report: Any, *, show_all: bool) -> str:
    from ..display import default_rows, render_table

    names = {"eligible": "可享受", "possible": "待确认", "ineligible": "不符合"}
    lines = [f"{report.enterprise}（{report.as_of.isoformat()}）：{report.summary}", ""]
    # a table for people: every eligible clause, the most relevant possible ones of this kind
    shown, hidden, other = default_rows(report.matches, show_all=show_all)
    rows = [[names[m.status.value], m.clause_id, m.clause_title, m.amount_text(), m.note()]
            for m in shown]
    if rows:
        lines.append(render_table(["状态", "条款", "标题", "金额", "说明"], rows,
                                  max_widths=[6, 16, 28, 12, 30]))
    elif report.omitted:
        lines.append("（--top 0：不列出条款）")
    else:
        lines.append("没有找到可享受或待确认的条款。加 --all 查看差距。")
    if report.omitted:
        lines.append(f"……按 --top 只列出前 {len(report.matches)} 条，另有 {report.omitted} 条未列出"
                     "（汇总、合计和建议询问按全部条款计算）")
    if hidden:
        lines.append(f"……另有 {hidden} 条待确认的条款相关度较低，加 --all 或 --format json 查看全部")
    if other:
        lines.append(f"……另有 {other} 条待确认的条款面向其他类型的企业，"
                     "加 --all 或 --format json 查看")
    if report.unrecognized:  # tests on these names are unknown, not unmet
        lines += ["", *(u.text for u in report.unrecognized)]
    if report.questions:
        lines += ["", "建议补充询问（按可能影响的金额排序）："]
        for i, q in enumerate(report.questions[:8], 1):
            lines.append(f"  {i}. {q.question}")
            if q.how():
                lines.append(f"     填写：{q.how()}")
    if show_all and report.inactive:
        lines += ["", f"不在执行期内、已排除的条款 {len(report.inactive)} 条："
                  + "、".join(report.inactive)]
    lines += ["", "金额为按已知信息的测算，以主管部门审核为准；括号内金额因就高不重复未计入合计。"]
    return "\n".join(lines)
