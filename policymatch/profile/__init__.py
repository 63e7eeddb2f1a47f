"""What is known about one enterprise, and how it is read.

:mod:`~policymatch.profile.model` holds :class:`EnterpriseProfile` and its parts;
:mod:`~policymatch.profile.cells` reads one value written as text (a flag, a JSON string, a table
cell) the same way wherever it comes from; :mod:`~policymatch.profile.scale` derives 大中小微;
:mod:`~policymatch.profile.io` reads profiles from JSON and from table rows.
"""

from .io import MAX_PROFILE_BYTES, is_missing, load_profile, profile_from_row
from .model import (
    MAX_TEXT_CHARS,
    AgeSpan,
    EnterpriseProfile,
    Money,
    MoneyInput,
    MoneyText,
    PreviousYear,
    Talents,
    check_day,
    founded_after_message,
    previous_value,
)
from .scale import SIZE_ROWS, needed_facts, scale_class

__all__ = ["MAX_PROFILE_BYTES", "MAX_TEXT_CHARS", "SIZE_ROWS", "AgeSpan", "EnterpriseProfile", "Money",
           "MoneyInput", "MoneyText", "PreviousYear", "Talents", "check_day",
           "founded_after_message", "is_missing", "load_profile", "needed_facts", "previous_value",
           "profile_from_row", "scale_class"]
