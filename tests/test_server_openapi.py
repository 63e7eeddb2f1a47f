"""Property-based test of `policymatch serve` against its own OpenAPI document (schemathesis):
for generated requests, valid and not, the server never answers 5xx, and every answer has a
status code, a content type and a body that the document declares."""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
#: examples per operation: enough to reach the refusals, bounded so the suite stays short
EXAMPLES = 25


def test_no_server_error_and_answers_conform(server_url: str) -> None:
    api = schemathesis.openapi.from_url(f"{server_url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert {op.label for op in operations} >= {"POST /match", "POST /batch", "GET /search",
                                                "GET /clauses", "GET /clauses/{clause_id}", "GET /health"}
    sent: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(checks=CHECKS)
            sent.append(case.operation.label)

        check()
    assert len(sent) >= 5 * len(operations)  # the requests were made, not skipped
