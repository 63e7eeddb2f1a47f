"""The package's own YAML tables (``policymatch/data/*.yaml``), read with libyaml when present.

They are written by us, not by users: the C parser reads them about ten times faster than the
pure-Python one, and a test checks that both give the same data for every packaged file.
Faster still, and without importing PyYAML: ``policymatch/data/compiled/tables.json`` holds
each table's data as JSON with the SHA-256 of the YAML it was read from (written by
``tools/gen_compiled.py``), used while that digest matches the installed file.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

__all__ = ["packaged_tables_json", "packaged_yaml"]

_TABLES = "compiled/tables.json"


def packaged_yaml(name: str) -> Any:
    """The data of ``policymatch/data/<name>``, parsed by PyYAML's safe loader (or its JSON copy
    made at build time, while the file is byte for byte the one it was made from)."""
    folder = resources.files("policymatch.data")
    digest = hashlib.sha256(folder.joinpath(name).read_bytes()).hexdigest()
    try:
        entry = json.loads(folder.joinpath(_TABLES).read_text("utf-8")).get(name)
    except (OSError, ValueError, AttributeError):  # no build, or not one this code wrote
        entry = None
    if isinstance(entry, dict) and entry.get("sha256") == digest and "data" in entry:
        return entry["data"]
    return _parsed(name)


def _parsed(name: str) -> Any:
    import yaml

    raw = resources.files("policymatch.data").joinpath(name).read_text("utf-8")
    return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def packaged_tables_json() -> str:
    """``compiled/tables.json``: every packaged YAML table whose data JSON carries exactly (the
    same values, types and order; a table with dates or non-text keys is left to PyYAML)."""
    folder = resources.files("policymatch.data")
    tables: dict[str, Any] = {}
    for item in sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")),
                       key=lambda f: f.name):
        data = _parsed(item.name)
        try:
            copy = json.loads(json.dumps(data, ensure_ascii=False))
        except (TypeError, ValueError):
            continue
        if copy == data and repr(copy) == repr(data):
            tables[item.name] = {"sha256": hashlib.sha256(item.read_bytes()).hexdigest(),
                                 "data": data}
    return json.dumps(tables, ensure_ascii=False, indent=1) + "\n"
