"""What each property of a result means, for the published JSON Schemas.

The result models (``MatchReport`` and what it holds, ``SearchHit``) take their property
descriptions from here (see ``models._describe``), so the schema a client reads explains every
field. A property described in its ``Field(description=...)`` keeps that text. A test fails while
any result property has no description.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DESCRIPTIONS", "describe"]

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "MatchReport": {
        "enterprise": "the enterprise's name, as the profile gives it",
        "as_of": "the day the clauses were judged (validity dates, firm age), YYYY-MM-DD",
        "matches": "the judged clauses in display order: eligible, then possible (then ineligible "
                   "with include_ineligible), each ordered by relevance, then amount",
        "questions": "missing facts worth asking, most money at stake first; each fact once",
        "summary": "one line for people: clauses eligible, the total, clauses needing facts",
    },
    "Match": {
        "policy_id": "id of the policy document the clause belongs to",
        "policy_title": "title of that policy document",
        "clause_id": "id of the clause (see `policymatch show CLAUSE_ID`)",
        "clause_title": "the clause's short title",
        "text": "the clause's own wording",
        "status": "eligible: every condition met; possible: none unmet but facts missing; "
                  "ineligible: a condition unmet",
        "score": "relevance of the clause to what is known of the enterprise (higher is more "
                 "relevant); orders clauses, never changes a status",
        "amount": "estimated amount in 元 from the known facts; null when a base figure is "
                  "missing or the clause is ineligible",
        "is_upper_bound": "true when amount is a ceiling (最高 N 万元), not a promise",
        "formula": "how the amount was computed, in words, or what it still needs",
        "reasons": "the verdict on every condition, in plain Chinese",
        "missing": "profile field paths whose values would settle the status or the amount",
        "changes": "for an ineligible clause: the smallest changes of known facts that would make "
                   "it eligible",
        "department": "the department responsible (责任单位)",
        "mode": "how the benefit is obtained: 免申即享, 依申请 or 快申快享",
        "category": "奖补 (money), 减免 (relief), 权益 (rights) or 资质 (recognition)",
        "exclusive_group": "就高不重复 group: of its eligible clauses only the best one counts",
        "counted": "false when 就高不重复 sets this eligible clause aside for a better one",
        "set_aside_for": "the clause id that this one was set aside for, when counted is false",
        "matched_terms": "words of the profile's description that made the clause relevant",
    },
    "Reason": {
        "field": "profile field path the condition tests",
        "op": "the comparison: >=, >, <=, <, ==, !=, in, not_in, has, not_has",
        "expected": "the value the condition compares with (money in 元)",
        "actual": "the profile's value, null when unknown",
        "outcome": "met, unmet or unknown (the fact is missing)",
        "text": "the verdict in plain Chinese, with the gap for an unmet threshold",
        "gap": "for an unmet threshold: how far the value is from it, in the field's unit",
    },
    "Change": {
        "field": "profile field path to change",
        "current": "its value now",
        "needed": "the value that would meet the condition",
        "delta": "needed minus current, for numbers",
        "text": "the change in plain Chinese",
    },
    "Question": {
        "field": "profile field path that answers the question (an input, never a derived field)",
        "question": "the question in plain Chinese, with the clauses and money it could unlock",
        "clause_ids": "the clauses whose status or amount the answer could settle",
        "max_amount": "the most in 元 any of those clauses could pay",
        "flag": "how to give the answer to `policymatch match`, with an example value",
        "json_example": "the same answer as a fragment of a profile's JSON (true/false: either)",
        "unit": "the unit of the answer, or how to write it; empty when it has none",
    },
    "SearchHit": {
        "clause_id": "id of the clause",
        "clause_title": "the clause's short title",
        "policy_id": "id of its policy document",
        "policy_title": "title of its policy document",
        "score": "relevance to the text searched for (higher is more relevant)",
        "matched_terms": "the words that contributed most to the score",
        "max_amount": "the most in 元 the clause pays anyone; null when it has no ceiling",
        "department": "the department responsible (责任单位)",
    },
}


def describe(schema: dict[str, Any], model: type) -> None:
    """Fill in the descriptions of ``model``'s properties that its fields do not give."""
    texts = DESCRIPTIONS.get(model.__name__)
    if not texts:
        return
    for name, prop in schema.get("properties", {}).items():
        if name in texts and "description" not in prop:
            prop["description"] = texts[name]
