"""Policy files: read, validate and write ``policies/``, and the bundled corpus.

:mod:`~policymatch.corpus.policies` loads and writes policy files;
:mod:`~policymatch.corpus.safe_yaml` is the YAML reader they go through;
:mod:`~policymatch.corpus.review` finds the ``review:`` notes a draft still carries.
"""

from typing import Any

# Profiles are read by policymatch.profile; these names stay importable from here as before.
from ..profile import MAX_PROFILE_BYTES as MAX_PROFILE_BYTES
from ..profile import load_profile as load_profile
from ..profile import profile_from_row as profile_from_row
from .policies import (
    MAX_NESTING,
    MAX_POLICY_FILE_BYTES,
    bundled_files,
    load_policies,
    policy_to_yaml,
    write_policy,
)
from .review import ReviewNote, review_notes

__all__ = ["MAX_NESTING", "MAX_POLICY_FILE_BYTES", "ReviewNote", "bundled_files", "load_policies",
           "parse_yaml", "policy_to_yaml", "review_notes", "write_policy"]


def __getattr__(name: str) -> Any:
    # parse_yaml imports PyYAML, which a command on the compiled bundled corpus never needs
    if name == "parse_yaml":
        from .safe_yaml import parse_yaml

        return parse_yaml
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
