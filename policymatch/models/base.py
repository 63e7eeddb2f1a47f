"""What every noun shares: the verdict vocabulary, the frozen base model and the view hook.

:data:`VIEWS` is how a noun shows itself in a notebook (``_repr_html_``) and as a DataFrame: the
views live in :mod:`policymatch.display`, which fills this table when the package is imported, so
the nouns never import a view.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from ..descriptions import describe

__all__ = ["VIEWS", "ApplicationMode", "FrozenModel", "Outcome", "Status", "trusted", "view"]

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


class FrozenModel(BaseModel):
    """The base of every noun: unknown keys refused, frozen, described in the JSON Schema."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True,
                              json_schema_extra=describe,
                              json_schema_serialization_defaults_required=True)



#: name → function of the noun (``policy_html``, ``policy_set_html``, ``report_html``,
#: ``clause_frame``); filled in by :mod:`policymatch.display`.
VIEWS: dict[str, Callable[..., Any]] = {}


def view(name: str) -> Callable[..., Any]:
    """The view called ``name`` (``import policymatch`` registers them all)."""
    return VIEWS[name]
