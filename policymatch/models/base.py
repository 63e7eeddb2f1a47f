"""What every noun shares: the verdict vocabulary, the frozen base model and the view hook.

:data:`VIEWS` is how a noun shows itself in a notebook (``_repr_html_``) and as a DataFrame: the
views live in :mod:`policymatch.display`, which fills this table when the package is imported, so
the nouns never import a view.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from ..descriptions import describe

__all__ = ["MAX_POLICY_STRING", "VIEWS", "ApplicationMode", "FrozenModel", "Outcome", "Status", "trusted", "view"]

class Outcome(str, Enum):
    """Three-valued result of one condition."""

    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"


class Status(str, Enum):
    """A clause's verdict for one enterprise. Decided by rules only, never by relevance."""

    ELIGIBLE = "eligible"
    POSSIBLE = "possible"  # nothing known rules it out, but facts are missing
    INELIGIBLE = "ineligible"


class ApplicationMode(str, Enum):
    """How the benefit reaches the enterprise."""

    AUTO = "免申即享"
    APPLY = "依申请"
    FAST = "快申快享"


_M = TypeVar("_M", bound=BaseModel)


def trusted(cls: type[_M], values: dict[str, Any]) -> _M:
    """Build a model from values the library computed itself, skipping validation.

    For the matcher's hot path only (a :class:`Match` is built per clause per enterprise): every
    field must be given, already of its declared type. Tests check that such objects equal
    their validated round trip.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


#: The longest text any one string of a policy file may hold, in characters (a field with a
#: tighter bound of its own keeps it).
MAX_POLICY_STRING = 20_000


def _check_strings(value: Any, field: str) -> None:
    """Refuse text that cannot be written back (a lone surrogate such as ``'\\ud800'``) or that
    is longer than :data:`MAX_POLICY_STRING`, naming the field."""
    if isinstance(value, str):
        if len(value) > MAX_POLICY_STRING:
            raise ValueError(f"{field}: {len(value):,} characters is more than the "
                             f"{MAX_POLICY_STRING:,} a policy file's text may hold; shorten it")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{field}: the text holds {value[exc.start]!r} at position "
                             f"{exc.start}, which is not a character (a lone surrogate); "
                             "remove it or save the file as UTF-8 again") from None
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_strings(item, field)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, field)
            _check_strings(item, field)


class FrozenModel(BaseModel):
    """The base of every noun: unknown keys refused, frozen, described in the JSON Schema."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True,
                              json_schema_extra=describe,
                              json_schema_serialization_defaults_required=True)

    @field_validator("*", mode="after")
    @classmethod
    def _valid_text(cls, value: Any, info: ValidationInfo) -> Any:
        """Every policy-side string is bounded and valid Unicode text (it must serialise)."""
        _check_strings(value, info.field_name or "text")
        return value



#: name → function of the noun (``policy_html``, ``policy_set_html``, ``report_html``,
#: ``clause_frame``); filled in by :mod:`policymatch.display`.
VIEWS: dict[str, Callable[..., Any]] = {}


def view(name: str) -> Callable[..., Any]:
    """The view called ``name`` (``import policymatch`` registers them all)."""
    return VIEWS[name]
