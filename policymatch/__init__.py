"""policymatch: which incentive policies (惠企政策) an enterprise qualifies for, why, and how much.

Importing the package is cheap: jieba, scikit-learn and the bundled corpus load on first use.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .corpus import load_policies
from .errors import PolicyFileError, PolicymatchError, ProfileError
from .matcher import Matcher
from .models import Clause, Match, MatchReport, Policy, PolicySet, Status
from .profile import EnterpriseProfile, load_profile

try:
    __version__ = version("policymatch")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "Clause",
    "EnterpriseProfile",
    "Match",
    "MatchReport",
    "Matcher",
    "Policy",
    "PolicyFileError",
    "PolicySet",
    "PolicymatchError",
    "ProfileError",
    "Status",
    "__version__",
    "load_policies",
    "load_profile",
]
