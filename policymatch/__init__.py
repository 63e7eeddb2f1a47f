"""policymatch: which incentive policies (惠企政策) an enterprise qualifies for, why, and how much.

Importing the package is cheap: jieba, scikit-learn and the bundled corpus load on first use.
"""

from __future__ import annotations

from . import display  # noqa: F401 - gives the nouns their notebook and DataFrame views
from .corpus import load_policies
from .errors import PolicyFileError, PolicymatchError, ProfileError
from .matcher import Matcher
from .models import Clause, Match, MatchReport, Policy, PolicySet, Status
from .profile import EnterpriseProfile, load_profile
from .version import __version__

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
