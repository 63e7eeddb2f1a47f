"""The nouns of policymatch as pydantic v2 models: the policy side (frozen) and the result side.

:mod:`~policymatch.models.base` holds the verdict vocabulary (:class:`Outcome`, :class:`Status`)
and the base model; :mod:`~policymatch.models.policy` a policy, its clauses, conditions and
benefits; :mod:`~policymatch.models.results` what a match found. Conditions and benefits are plain
data, discriminated by ``kind``; nothing here is ever run as code. The nouns do no I/O, matching or
rendering; :class:`~policymatch.profile.EnterpriseProfile` lives in :mod:`policymatch.profile`.
"""

from ..profile import EnterpriseProfile
from .base import (
    MAX_POLICY_STRING,
    VIEWS,
    ApplicationMode,
    DeferredModel,
    FrozenModel,
    Outcome,
    Pending,
    Status,
    deferred,
    trusted,
)
from .policy import (
    UNSTRUCTURED_PREFIX,
    AllOf,
    AnyOf,
    Benefit,
    Clause,
    ClauseCase,
    Condition,
    FieldTest,
    FixedBenefit,
    InKindBenefit,
    InterestBenefit,
    Not,
    PerUnitBenefit,
    Policy,
    PolicySet,
    RatioBenefit,
    Recipient,
    RentBenefit,
    Tier,
    TiersBenefit,
    Unstructured,
    known_fingerprint,
)
from .results import (
    Change,
    Estimate,
    Match,
    MatchReport,
    Question,
    Reason,
    SearchHit,
    UnrecognizedName,
)

__all__ = [
    "MAX_POLICY_STRING", "UNSTRUCTURED_PREFIX", "VIEWS", "AllOf", "AnyOf", "ApplicationMode", "Benefit", "Change",
    "Clause", "ClauseCase", "Condition", "DeferredModel", "EnterpriseProfile", "Estimate", "FieldTest",
    "FixedBenefit", "FrozenModel", "InKindBenefit", "InterestBenefit", "Match", "MatchReport", "Not",
    "Outcome", "Pending", "PerUnitBenefit", "Policy", "PolicySet", "Question", "RatioBenefit", "Reason",
    "Recipient", "RentBenefit", "SearchHit", "Status", "Tier", "TiersBenefit", "UnrecognizedName",
    "Unstructured", "deferred", "known_fingerprint", "trusted",
]
