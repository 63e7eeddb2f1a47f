"""Chinese text: one normalisation for both sides of a comparison, and the tokenizers.

:mod:`~policymatch.text.visible` removes the characters that do not show; :func:`normalize` folds
full-width forms, spacing and traditional characters; :class:`Tokenizer` (jieba, one instance of
our own, pickles without it) and :class:`VocabularyTokenizer` (a fixed lexicon, no jieba) split
text into the words an index counts.
"""

from .tokenizer import (
    PIECE_BREAK,
    WORD_BLOCK,
    Tokenizer,
    VocabularyTokenizer,
    default_stopwords,
    domain_terms,
    expand_query,
    normalize,
    query_synonyms,
)
from .visible import INVISIBLE_RANGES, has_invisible, visible, visible_data

__all__ = ["INVISIBLE_RANGES", "PIECE_BREAK", "WORD_BLOCK", "Tokenizer", "VocabularyTokenizer", "default_stopwords",
           "domain_terms", "expand_query", "has_invisible", "normalize", "query_synonyms", "visible",
           "visible_data"]
