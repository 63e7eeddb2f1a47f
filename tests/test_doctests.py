"""Every docstring example of the package runs and shows what it says (numpydoc ``Examples``).

Each module's examples run as one doctest session; an example whose printed result differs from
the docstring fails here, so an example can never go stale unnoticed.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import policymatch

MODULES = sorted(m.name for m in pkgutil.walk_packages(policymatch.__path__, "policymatch.")
                 if not m.name.startswith(("policymatch.policies", "policymatch.data"))
                 and m.name != "policymatch.__main__")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    return [t for t in doctest.DocTestFinder(exclude_empty=True).find(module) if t.examples]


WITH_EXAMPLES = [name for name in MODULES if _examples(name)]


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_hold(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in _examples(name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} fail (see above)"


def test_the_examples_are_collected() -> None:
    """About three dozen docstrings hold examples; a finder that found none would pass above."""
    count = sum(len(_examples(name)) for name in WITH_EXAMPLES)
    assert len(WITH_EXAMPLES) >= 15 and count >= 30


def test_a_wrong_example_fails() -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(">>> 1 + 1\n3\n", {}, "wrong", None, 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=lambda _: None)
    assert runner.summarize(verbose=False).failed == 1
