"""Rebuild ``policymatch/data/compiled/``: the bundled corpus validated, and its index fitted.

    python tools/gen_compiled.py

Run it after changing ``policies/``, ``policymatch/data/`` or the tokenizer. A test fails while
the committed build differs from a fresh one; until it is rebuilt, the library ignores a build
whose sources changed (see :mod:`policymatch.corpus.compiled`).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from policymatch.corpus import bundled_files
from policymatch.corpus.compiled import compiled_dir, write_compiled
from policymatch.corpus.policies import _parse_sources  # the YAML parse, never the compiled set
from policymatch.matcher import fit_index
from policymatch.text import Tokenizer


def build(directory: Path) -> Path:
    """Parse the bundled YAML, fit a default matcher's index afresh, write both to ``directory``."""
    files = [(f"policies/{f.name}", f.read_bytes()) for f in bundled_files()]
    policy_set = _parse_sources(files)
    return write_compiled(policy_set, files, fit_index(policy_set, Tokenizer()), directory)


def main() -> int:
    target = compiled_dir()
    if target.exists():
        shutil.rmtree(target)
    build(target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
