"""TF-IDF relevance of clauses to a query, and the index saved as data (never a pickle).

:mod:`~policymatch.index.clause_index` fits and scores :class:`ClauseIndex`;
:mod:`~policymatch.index.saved` reads a saved index back, checking every file;
:mod:`~policymatch.index.weights` lists the generic words whose weight the bundled Matcher damps.
"""

from .clause_index import FORMAT_VERSION, ClauseIndex
from .weights import generic_words

__all__ = ["FORMAT_VERSION", "ClauseIndex", "generic_words"]
