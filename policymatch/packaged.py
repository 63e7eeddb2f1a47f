"""The package's own YAML tables (``policymatch/data/*.yaml``), read with libyaml when present.

They are written by us, not by users: the C parser reads them about ten times faster than the
pure-Python one, and a test checks that both give the same data for every packaged file.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

__all__ = ["packaged_yaml"]


def packaged_yaml(name: str) -> Any:
    """The data of ``policymatch/data/<name>``, parsed by PyYAML's safe loader."""
    import yaml

    raw = resources.files("policymatch.data").joinpath(name).read_text("utf-8")
    return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
