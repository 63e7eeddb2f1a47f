"""Open ``review:`` notes of policy files: what ``policymatch validate`` reports about drafts.

``policymatch extract`` writes a ``review:`` note on every clause a person must check. A file
that still carries such notes is a draft, however well it validates; this module finds each note
and where it is (file, line, clause) so validate can say so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .corpus import _expand, bundled_files, parse_yaml
from .errors import PolicyFileError

__all__ = ["ReviewNote", "review_notes"]


@dataclass(frozen=True)
class ReviewNote:
    """One open ``review:`` note: the file, its line (when found), the clause and the note."""

    file: str
    line: int | None
    policy_id: str
    clause_id: str
    note: str

    def where(self) -> str:
        """``policies/x.yaml:12: clause x-1``."""
        line = f":{self.line}" if self.line else ""
        return f"{self.file}{line}: clause {self.clause_id}"


def review_notes(paths: Iterable[str | os.PathLike[str]] | None = None) -> list[ReviewNote]:
    """Every non-blank ``review:`` note in the given policy files (default: the bundled corpus).

    The files are expected to load (run :func:`~policymatch.load_policies` first); a file that
    does not parse is skipped here, since loading already reported it.
    """
    if paths is None:
        sources: Iterable[tuple[str, bytes]] = (
            (f"policies/{f.name}", f.read_bytes()) for f in bundled_files())
    else:
        sources = _expand(paths)
    notes: list[ReviewNote] = []
    for name, data in sources:
        try:
            text = data.decode("utf-8-sig")
            raw = parse_yaml(text, name)
        except (UnicodeDecodeError, PolicyFileError):
            continue
        if not isinstance(raw, dict):
            continue
        clauses = raw.get("clauses")
        for clause in clauses if isinstance(clauses, list) else ():
            if not isinstance(clause, dict):
                continue
            note = clause.get("review")
            if isinstance(note, str) and note.strip():
                cid = str(clause.get("id", "?"))
                notes.append(ReviewNote(name, _line_of(text, cid), str(raw.get("id", "?")), cid,
                                        note.strip()))
    return notes


def _line_of(text: str, clause_id: str) -> int | None:
    """The line of the ``review`` key that follows the clause's ``id`` (YAML or JSON)."""
    start = re.search(rf"""(?m)\bid["']?\s*:\s*["']?{re.escape(clause_id)}["']?\s*,?\s*$""", text)
    if start is None:
        return None
    found = re.compile(r"""(?m)^[\s{,-]*["']?review["']?\s*:""").search(text, start.end())
    nxt = re.compile(r"""(?m)^\s*-\s*["']?id["']?\s*:|^\s*\{\s*"id"\s*:""").search(text, start.end())
    if found is None or (nxt is not None and nxt.start() < found.start()):
        return None
    return text.count("\n", 0, found.start()) + 1
