"""A :class:`~policymatch.models.PolicySet` rebuilt from JSON the models wrote after validating it.

:func:`prevalidated_policy_set` turns the output of ``PolicySet.model_dump_json()`` back into
the same objects without running a validator: each value only takes its declared Python type
(a tuple for a list, a :class:`~datetime.date` for ISO text, an enum member, a float for a
number, the model named by ``kind`` for a condition or a benefit). It checks the shape — every
model gets exactly its fields, every ``kind`` names a known model — and raises ``ValueError``
otherwise, but it does not check values. It is therefore for one input only: the compiled
corpus the package ships (:mod:`policymatch.corpus.compiled`), which the models validated when
it was built and whose bytes are checked against the digest recorded then. Files a user hands
in always go through ``model_validate``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from .base import trusted
from .policy import PolicySet

__all__ = ["prevalidated_policy_set"]

_Convert = Callable[[Any], Any]
_BUILDERS: dict[type[BaseModel], _Convert] = {}


def prevalidated_policy_set(data: Any) -> PolicySet:
    """The :class:`PolicySet` whose ``model_dump_json()`` was parsed into ``data``.

    Only for data the models validated and wrote themselves (see the module's note): values
    are not checked. Raises ``ValueError`` when the shape does not fit the models.
    """
    result = _builder(PolicySet)(data)
    assert isinstance(result, PolicySet)
    return result


def _builder(cls: type[BaseModel]) -> _Convert:
    """The function that builds a ``cls`` from its dumped dict (made once per model)."""
    built = _BUILDERS.get(cls)
    if built is not None:
        return built
    convert: dict[str, _Convert] = {}

    def build(value: Any) -> Any:
        if type(value) is not dict or value.keys() != convert.keys():
            raise ValueError(f"{cls.__name__}: expected the fields {sorted(convert)}, got "
                             f"{sorted(value) if isinstance(value, dict) else type(value).__name__}")
        return trusted(cls, {name: fn(value[name]) for name, fn in convert.items()})

    _BUILDERS[cls] = build  # before the fields: a condition tree refers to itself
    hints = typing.get_type_hints(cls, include_extras=True)
    for name in cls.model_fields:
        convert[name] = _converter(hints[name])
    return build


def _same(value: Any) -> Any:
    return value


def _as_float(value: Any) -> float:
    if type(value) not in (int, float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _as(kind: type) -> _Convert:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise ValueError(f"expected {kind.__name__}, got {value!r}")
        return value
    return check


def _converter(annotation: Any) -> _Convert:
    """How a JSON value becomes a value of ``annotation`` (validators in ``Annotated`` are not
    run: the value was validated before it was written)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is typing.Annotated:
        return _converter(args[0])
    if annotation is Any:
        return _same
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return _builder(annotation)
        if issubclass(annotation, Enum):
            return annotation
        if annotation is float:
            return _as_float
        if annotation is date:
            return date.fromisoformat
        if annotation in (str, int, bool):
            return _as(annotation)
    if origin is Literal:
        allowed = frozenset(args)

        def literal(value: Any) -> Any:
            if value not in allowed or type(value) not in (str, int, bool, type(None)):
                raise ValueError(f"expected one of {sorted(map(str, allowed))}, got {value!r}")
            return value
        return literal
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _converter(args[0])
            return lambda value: tuple(item(v) for v in _as(list)(value))
        items = [_converter(a) for a in args]

        def fixed(value: Any) -> tuple[Any, ...]:
            if type(value) is not list or len(value) != len(items):
                raise ValueError(f"expected {len(items)} values, got {value!r}")
            return tuple(fn(v) for fn, v in zip(items, value, strict=True))
        return fixed
    if origin is list:
        item = _converter(args[0])
        return lambda value: [item(v) for v in _as(list)(value)]
    if origin is dict:
        return _as(dict)  # dict[str, Any]: JSON values as they are (a case's profile)
    if origin in (Union, types.UnionType):
        return _union(args)
    raise TypeError(f"no prevalidated form for {annotation!r}")  # pragma: no cover - a new type


def _union(args: tuple[Any, ...]) -> _Convert:
    """A member of a union: ``None``, the model a ``kind`` names (conditions, benefits), or the
    JSON type's member (a number is a float when the union holds float, as the models read it)."""
    members = _members(args)
    optional = type(None) in members
    members = [m for m in members if m is not type(None)]
    if all(isinstance(m, type) and issubclass(m, BaseModel) for m in members):
        by_kind: dict[Any, type[BaseModel]] = {}
        for m in members:
            by_kind[m.model_fields["kind"].default] = m

        def model(value: Any) -> Any:
            if value is None and optional:
                return None
            cls = by_kind.get(value.get("kind")) if isinstance(value, dict) else None
            if cls is None:
                raise ValueError(f"no model for {value!r:.80}")
            return _builder(cls)(value)
        return model
    scalars = {m: _converter(m) for m in members if get_origin(m) is None}
    listed = [_converter(m) for m in members if get_origin(m) in (list, tuple)]
    literals = frozenset(v for m in members if get_origin(m) is Literal for v in get_args(m))

    def member(value: Any) -> Any:
        if value is None and optional:
            return None
        kind = type(value)
        if kind is list and listed:
            return listed[0](value)
        if kind is int and float in scalars and int not in scalars:
            return float(value)
        if kind is str and str not in scalars and date in scalars:
            return date.fromisoformat(value)
        if kind in scalars or (kind is str and value in literals):
            return value
        raise ValueError(f"{value!r:.80} is none of {members}")
    return member


def _members(args: tuple[Any, ...]) -> list[Any]:
    """A union's members, nested unions and ``Annotated`` wrappers taken apart."""
    out: list[Any] = []
    for a in args:
        while get_origin(a) is typing.Annotated:
            a = get_args(a)[0]
        if get_origin(a) in (Union, types.UnionType):
            out.extend(m for m in _members(get_args(a)) if m not in out)
        elif a not in out:
            out.append(a)
    return out
