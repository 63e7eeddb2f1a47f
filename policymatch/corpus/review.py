"""Open ``review:`` notes of policy files: what ``policymatch validate`` reports about drafts.

``policymatch extract`` writes a ``review:`` note on every clause a person must check, and keeps
each condition phrase it could not structure as an ``unstructured`` condition. A file that still
carries either is a draft, however well it validates; this module finds each note and each such
condition and where it is (file, line, clause) so validate can say so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import PolicyFileError
from .policies import bundled_files, expand_paths

__all__ = ["ReviewNote", "review_notes"]


@dataclass(frozen=True)
class ReviewNote:
    """One open ``review:`` note: the file, its line (when found), the clause and the note."""

    file: str
    line: int | None
    policy_id: str
    clause_id: str
    note: str
    kind: str = "review"  # or "unstructured": a condition the extractor kept as words

    def where(self) -> str:
        """``policies/x.yaml:12: clause x-1``."""
        line = f":{self.line}" if self.line else ""
        return f"{self.file}{line}: clause {self.clause_id}"


def review_notes(paths: Iterable[str | os.PathLike[str]] | None = None) -> list[ReviewNote]:
    """Every non-blank ``review:`` note in the given policy files (default: the bundled corpus).

    The files are expected to load (run :func:`~policymatch.load_policies` first); a file that
    does not parse is skipped here, since loading already reported it.
    """
    from .safe_yaml import parse_yaml

    if paths is None:
        sources: Iterable[tuple[str, bytes]] = (
            (f"policies/{f.name}", f.read_bytes()) for f in bundled_files())
    else:
        sources = expand_paths(paths)
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
            cid = str(clause.get("id", "?"))
            note = clause.get("review")
            if isinstance(note, str) and note.strip():
                notes.append(ReviewNote(name, _line_of(text, cid), str(raw.get("id", "?")), cid,
                                        note.strip()))
            for words in _unstructured(clause.get("conditions")):
                notes.append(ReviewNote(name, _line_of_words(text, words), str(raw.get("id", "?")),
                                        cid, words, "unstructured"))
        for words in _unstructured(raw.get("conditions")):
            notes.append(ReviewNote(name, _line_of_words(text, words), str(raw.get("id", "?")),
                                    "(document)", words, "unstructured"))
    return notes


def _unstructured(node: object, depth: int = 0) -> list[str]:
    """The words of every ``kind: unstructured`` leaf of a raw condition tree."""
    if depth > 64:
        return []
    if isinstance(node, dict):
        if node.get("kind") == "unstructured":
            return [str(node.get("text", ""))]
        return _unstructured(node.get("of"), depth + 1)
    if isinstance(node, list):
        return [w for child in node for w in _unstructured(child, depth + 1)]
    return []


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


def _line_of_words(text: str, words: str) -> int | None:
    """The first line holding an unstructured condition's words."""
    at = text.find(words[:40]) if words else -1
    return None if at < 0 else text.count("\n", 0, at) + 1
