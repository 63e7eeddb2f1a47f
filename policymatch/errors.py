"""Exceptions raised by policymatch.

Every class derives from :class:`PolicymatchError` and also from the builtin a caller would
naturally catch (``ValueError``, ``OSError``), so ``except ValueError`` keeps working.
Messages name the file or field, the bad value and the fix.
"""

from __future__ import annotations

__all__ = [
    "ExtractionError",
    "IndexFormatError",
    "NotFittedError",
    "PolicyFileError",
    "PolicymatchError",
    "ProfileError",
    "UnknownClauseError",
]


class PolicymatchError(Exception):
    """Base class of every error policymatch raises on purpose."""


class ProfileError(PolicymatchError, ValueError):
    """An enterprise profile is malformed: unknown field, bad type, absurd value."""


class PolicyFileError(PolicymatchError, ValueError):
    """A policy file or folder does not load or validate.

    ``problems`` holds every problem found, one human-readable line each, so a caller can show
    them all at once instead of fixing one per run.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems: list[str] = list(problems) if problems else [message]
        super().__init__(message)


class NotFittedError(PolicymatchError, ValueError, AttributeError):
    """A Matcher, index or tokenizer was used before ``fit``."""


class IndexFormatError(PolicymatchError, ValueError):
    """A saved index directory is missing files, was written by another version or corpus."""


class ExtractionError(PolicymatchError, ValueError):
    """Raw policy text could not be read or holds no clause to extract."""


class UnknownClauseError(PolicymatchError, KeyError):
    """A clause id that the loaded policy set does not contain."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""
