"""Extraction: raw policy text → a draft :class:`~policymatch.Policy` to review.

The wing's public surface is this package; its modules are its own:
:mod:`~policymatch.extract.documents` (what files may be read), :mod:`~policymatch.extract.layout`
(normalised text with original offsets, the numbered structure), :mod:`~policymatch.extract.numbers`
(quantities and dates), :mod:`~policymatch.extract.conditions` (condition phrases → leaves),
:mod:`~policymatch.extract.drafts` (benefit shapes, items → clause drafts) and
:mod:`~policymatch.extract.policy` (the whole document, with confidence and review notes).
Every phrase is structured or kept as an ``unstructured`` condition (unknown, never dropped).
"""

from ..errors import ExtractionError
from .documents import MAX_DOCX_UNPACKED_BYTES
from .policy import (
    MAX_DOCUMENT_BYTES,
    REVIEW_BELOW,
    ClauseExtraction,
    ExtractionResult,
    FieldConfidence,
    extract_policy,
    read_document,
)

__all__ = ["MAX_DOCUMENT_BYTES", "MAX_DOCX_UNPACKED_BYTES", "REVIEW_BELOW", "ClauseExtraction",
           "ExtractionError", "ExtractionResult", "FieldConfidence", "extract_policy", "read_document"]
