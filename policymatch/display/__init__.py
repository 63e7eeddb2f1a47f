"""How results and policies look: notebook HTML and data frames, terminal tables, clause text.

Views over the nouns, never part of them: :mod:`~policymatch.display.html` (notebook HTML,
``to_dataframe`` rows), :mod:`~policymatch.display.table` (terminal tables that stay aligned with
Chinese characters), :mod:`~policymatch.display.clause_text` (a clause in plain Chinese, for
``policymatch show``).
"""

from .clause_text import benefit_text, clause_text, condition_lines, leaf_text
from .html import CLAUSE_COLUMNS, clause_rows, dataframe, policy_html, policy_set_html, report_html
from .table import POSSIBLE_ROWS, clip, default_rows, render_table, width

__all__ = ["CLAUSE_COLUMNS", "POSSIBLE_ROWS", "benefit_text", "clause_rows", "clause_text", "clip",
           "condition_lines", "dataframe", "default_rows", "leaf_text", "policy_html",
           "policy_set_html", "render_table", "report_html", "width"]
