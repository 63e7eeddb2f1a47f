"""What every noun shares: the verdict vocabulary, the frozen base model and the view hook.

:data:`VIEWS` is how a noun shows itself in a notebook (``_repr_html_``) and as a DataFrame: the
views live in :mod:`policymatch.display`, which fills this table when the package is imported, so
the nouns never import a view.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from ..descriptions import describe

__all__ = ["MAX_POLICY_STRING", "VIEWS", "ApplicationMode", "DeferredModel", "FrozenModel", "Outcome",
           "Pending", "Status", "deferred", "trusted", "view"]

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


class Pending(Protocol):
    """What fills the deferred fields of a :class:`DeferredModel`: ``value(name)`` is the value
    of field ``name``, the same on every call (it is asked at most once per object)."""

    def value(self, name: str) -> Any: ...


_DM = TypeVar("_DM", bound="DeferredModel")


def deferred(cls: type[_DM], values: dict[str, Any], pending: Pending) -> _DM:
    """:func:`trusted`, with the fields missing from ``values`` filled by ``pending`` when first
    read (see :class:`DeferredModel`). ``values`` must be in field order, the deferred ones left
    out; with none left out the object is complete at once."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(cls.__pydantic_fields__))
    object.__setattr__(obj, "__pydantic_extra__", None)
    complete = len(values) == len(cls.__pydantic_fields__)
    object.__setattr__(obj, "__pydantic_private__", None if complete else {"_pending": pending})
    return obj


#: The ``__dict__`` of every model as pydantic stores it (a :class:`DeferredModel` reads and
#: writes its fields through this, below its own ``__dict__``).
_FIELDS = next(k.__dict__["__dict__"] for k in BaseModel.__mro__ if "__dict__" in k.__dict__)


class DeferredModel(FrozenModel):
    """A result whose costly fields (explanation text) may be computed on first read.

    Built complete it is an ordinary frozen model. Built by :func:`deferred`, some fields are
    absent until something reads them: attribute access fills that one field; anything that
    reads the object whole goes through its ``__dict__``, which fills every field first — so
    ``model_dump``, ``model_dump_json``, serialisation inside another model or a
    ``TypeAdapter``, ``==``, ``hash``, iteration, ``repr``/``str``, copies and pickling each
    give exactly what a complete object gives. Once filled, the fields are in field order and
    nothing of how they were computed stays behind.
    """

    def _complete(self) -> None:
        """Fill every deferred field (a no-op on a complete object)."""
        private = self.__pydantic_private__
        if not private:
            return
        pending: Pending = private["_pending"]
        have = _FIELDS.__get__(self)
        values = {name: have[name] if name in have else pending.value(name)
                  for name in type(self).__pydantic_fields__}
        _FIELDS.__set__(self, values)  # in field order, as a complete object holds them
        object.__setattr__(self, "__pydantic_private__", None)

    if not TYPE_CHECKING:  # for mypy, fields stay typed attribute by attribute
        @property
        def __dict__(self) -> dict[str, Any]:
            if object.__getattribute__(self, "__pydantic_private__"):
                self._complete()
            return _FIELDS.__get__(self)

        @__dict__.setter
        def __dict__(self, values: dict[str, Any]) -> None:
            _FIELDS.__set__(self, values)

        def __getattr__(self, name: str) -> Any:
            private = object.__getattribute__(self, "__pydantic_private__")
            if private and name in type(self).__pydantic_fields__:
                have = _FIELDS.__get__(self)
                value = have[name] = private["_pending"].value(name)
                if len(have) == len(type(self).__pydantic_fields__):
                    self._complete()  # the last one: back to field order, nothing pending
                return value
            return super().__getattr__(name)

    def __eq__(self, other: object) -> bool:
        self._complete()  # before pydantic compares what is pending
        if isinstance(other, DeferredModel):
            other._complete()
        return super().__eq__(other)

    def __hash__(self) -> int:
        fields = self.__dict__
        return hash(tuple(fields[name] for name in type(self).__pydantic_fields__))

    def __getstate__(self) -> dict[Any, Any]:
        self._complete()  # before pydantic reads what is pending
        return super().__getstate__()


#: name → function of the noun (``policy_html``, ``policy_set_html``, ``report_html``,
#: ``clause_frame``); filled in by :mod:`policymatch.display`.
VIEWS: dict[str, Callable[..., Any]] = {}


def view(name: str) -> Callable[..., Any]:
    """The view called ``name`` (``import policymatch`` registers them all)."""
    return VIEWS[name]
