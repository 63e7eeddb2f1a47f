"""One chunk of a batch input: the records judged together and their row numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Chunk"]


@dataclass
class Chunk:
    """Records judged together, with their 1-based row numbers.

    A table chunk holds ``columns`` (name → cells, one cell per row); an iterable chunk holds
    ``records`` (profiles or mappings). ``bad`` maps rows already known to be unreadable to the
    reason. ``text_cells`` marks cells read as text (CSV).
    """

    rows: list[int]
    columns: dict[Any, list[Any]] | None = None
    records: list[Any] | None = None
    bad: dict[int, str] = field(default_factory=dict)
    text_cells: bool = False
    #: rewrites the reason a validated row is refused for (row, reason → reason): names the sheet,
    #: the cell or the key column of a workbook or a query
    explain: Callable[[int, str], str] | None = None

    @property
    def n_read(self) -> int:
        return len(self.rows) + len(self.bad)

    def record(self, i: int) -> Any:
        """The ``i``-th good record, as a mapping for a table chunk."""
        if self.columns is not None:
            return {k: v[i] for k, v in self.columns.items()}
        assert self.records is not None
        return self.records[i]
