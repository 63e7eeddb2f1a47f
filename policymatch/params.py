"""``get_params`` / ``set_params`` for the objects that learn, from their constructor (one copy).

As scikit-learn's ``BaseEstimator``: the parameters are the keyword-only arguments of
``__init__``, which stores each unchanged under its own name.
"""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

__all__ = ["Params"]

_T = TypeVar("_T", bound="Params")


class Params:
    """Mixin: the constructor parameters, read back and set again."""

    @classmethod
    def _param_names(cls) -> list[str]:
        return [p.name for p in inspect.signature(cls.__init__).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY]

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, as passed."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self: _T, **params: Any) -> _T:
        """Set constructor parameters; returns ``self``. An unknown name is a ``ValueError``."""
        names = self._param_names()
        for name in params:
            if name not in names:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}; its "
                                 f"parameters are {', '.join(names)}")
        for name, value in params.items():
            setattr(self, name, value)
        self._params_changed()
        return self

    def _params_changed(self) -> None:
        """Drop what was built from the old parameters (nothing, unless a class says so)."""
