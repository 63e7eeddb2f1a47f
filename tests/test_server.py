"""`policymatch serve`: a real server in a subprocess on loopback, talked to over HTTP.

The server starts once per test run (the ``server_url`` fixture in conftest.py). Its answers are
compared with the command line's: the same report, the same one-line messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

from policymatch import load_policies  # noqa: E402
from policymatch.cli import build_parser, main  # noqa: E402
from policymatch.corpus import MAX_PROFILE_BYTES  # noqa: E402
from policymatch.server.app import MAX_BATCH_PROFILES  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MAKER = EXAMPLES / "auto_parts_maker.json"
DAY = "2026-06-30"


@pytest.fixture(scope="module")
def api(server_url: str) -> Any:
    with httpx.Client(base_url=server_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def cli_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`policymatch match examples/auto_parts_maker.json --format json --as-of DAY`."""
    out = tmp_path_factory.mktemp("cli") / "report.json"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["match", str(MAKER), "--format", "json", "--as-of", DAY]) == 0
    out.write_text(buffer.getvalue(), encoding="utf-8")
    data: dict[str, Any] = json.loads(buffer.getvalue())
    return data


def _cli_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err
    return err.removeprefix("error: ")


def test_health_says_ready_with_the_bundled_corpus(api: Any) -> None:
    got = api.get("/health").json()
    assert got["status"] == "ok"
    assert got["clauses"] == len(load_policies()) and got["clauses"] > 50


def test_match_is_exactly_the_command_lines_json(api: Any, cli_report: dict[str, Any]) -> None:
    answer = api.post(f"/match?as_of={DAY}", content=MAKER.read_bytes(),
                      headers={"content-type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == cli_report
    eligible = {m["clause_id"]: m for m in cli_report["matches"] if m["status"] == "eligible"}
    assert eligible["sz9-mfg-jgbg"]["amount"] == 8_160_000  # 设备投资额 6,800万元 × 12%


def test_top_k_only_limits_the_rows_listed(api: Any, cli_report: dict[str, Any]) -> None:
    short = api.post(f"/match?as_of={DAY}&top_k=2", content=MAKER.read_bytes()).json()
    assert short["matches"] == cli_report["matches"][:2]
    assert short["omitted"] == len(cli_report["matches"]) - 2
    for key in ("summary", "total_amount", "amounts_by_recipient", "questions", "inactive"):
        assert short[key] == cli_report[key], key
    none = api.post(f"/match?as_of={DAY}&top_k=0", content=MAKER.read_bytes()).json()
    assert none["matches"] == [] and none["total_amount"] == cli_report["total_amount"]


def test_money_as_people_write_it_is_read_by_the_profile(api: Any) -> None:
    as_text = api.post(f"/match?as_of={DAY}", json={"name": "某公司", "region": "嵊州市", "revenue": "1.2亿",
                                                    "rd_expense": "800万"}).json()
    as_yuan = api.post(f"/match?as_of={DAY}", json={"name": "某公司", "region": "嵊州市",
                                                    "revenue": 120_000_000, "rd_expense": 8_000_000}).json()
    assert as_text == as_yuan


@pytest.mark.parametrize(("field", "value", "flag"), [
    ("revenue", "abc", "--revenue"),
    ("revenue", "-5", "--revenue"),
    ("employees", "很多", "--employees"),
])
def test_a_bad_value_gets_the_command_lines_message_and_field_path(
        api: Any, capsys: pytest.CaptureFixture[str], field: str, value: str, flag: str) -> None:
    answer = api.post("/match", json={"name": "某公司", field: value})
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] == _cli_error(["match", "--name", "某公司", f"{flag}={value}"], capsys)
    assert body["problems"][0]["field"] == field
    assert value in body["detail"]


def test_every_bad_field_is_listed_with_its_path(api: Any) -> None:
    body = api.post("/match", json={"name": "x", "revenue": "abc", "talents": {"phd": -1}}).json()
    assert [p["field"] for p in body["problems"]] == ["revenue", "talents.phd"]
    assert body["detail"].endswith("(and 1 more)") and "\n" not in body["detail"]


@pytest.mark.parametrize(("body", "words"), [
    (b"", "empty"),
    (b"{not json", "not valid JSON"),
    (b'{"name": "a", "name": "b"}', "appears twice"),
    (b'["a"]', "expected a JSON object"),
    (b"\xff\xfe{", "UTF"),
    (b'{"name": "a", "revenu": 5}', "revenu"),
    (b"[" * 100_000, "nested too deeply"),
])
def test_bodies_that_are_not_a_profile_are_a_422_in_one_line(api: Any, body: bytes, words: str) -> None:
    answer = api.post("/match", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert words in detail and "\n" not in detail


def test_a_body_over_the_limit_is_refused_from_its_length(api: Any) -> None:
    big = json.dumps({"name": "x", "description": "字" * MAX_PROFILE_BYTES}).encode()
    answer = api.post("/match", content=big)
    assert answer.status_code == 413 and "limit" in answer.json()["detail"]

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        yield b'{"name": "x", "description": "'
        for _ in range(MAX_PROFILE_BYTES // 65_536 + 2):
            yield b"a" * 65_536
        yield b'"}'

    answer = api.post("/match", content=chunks())
    assert answer.status_code == 413


@pytest.mark.parametrize("query", ["top_k=-1", "top_k=abc", "as_of=2025-13-01", "include_ineligible=maybe"])
def test_a_bad_option_is_a_422_naming_it(api: Any, query: str) -> None:
    answer = api.post(f"/match?{query}", json={"name": "x"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["problems"][0]["field"] == query.split("=")[0]
    assert body["detail"].startswith(query.split("=")[0] + ": ")


def test_batch_answers_each_profile_as_match_does(api: Any) -> None:
    firms = [json.loads(MAKER.read_text(encoding="utf-8")), {"name": "某小微企业", "region": "嵊州市"}]
    answer = api.post(f"/batch?as_of={DAY}", json=firms)
    assert answer.status_code == 200, answer.text
    one_by_one = [api.post(f"/match?as_of={DAY}", json=f).json() for f in firms]
    assert answer.json() == one_by_one


def test_batch_refuses_too_many_or_a_bad_one_naming_its_index(api: Any) -> None:
    answer = api.post("/batch", json=[{"name": "x"}] * (MAX_BATCH_PROFILES + 1))
    assert answer.status_code == 413 and str(MAX_BATCH_PROFILES) in answer.json()["detail"]
    body = api.post("/batch", json=[{"name": "a"}, {"name": "b", "revenue": "abc"}]).json()
    assert body["detail"].startswith("[1]: revenue: ")
    assert body["problems"] == [{"field": "revenue", "index": 1, "message": body["detail"]}]
    assert api.post("/batch", json={"name": "a"}).status_code == 422


def test_search_ranks_clauses_for_a_need(api: Any) -> None:
    hits = api.get("/search", params={"q": "招了几个博士有没有补贴", "top_k": 3}).json()
    assert 1 <= len(hits) <= 3
    assert any("博士" in h["clause_title"] for h in hits)
    assert api.get("/search", params={"q": "x" * 10_001}).status_code == 422
    assert api.get("/search").status_code == 422


def test_clauses_list_and_one_clause_as_show_gives_it(api: Any, capsys: pytest.CaptureFixture[str]) -> None:
    listed = api.get("/clauses").json()
    assert len(listed) == api.get("/health").json()["clauses"]
    assert main(["show", "sz9-mfg-jgbg", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert api.get("/clauses/sz9-mfg-jgbg").json() == shown
    missing = api.get("/clauses/no-such-clause")
    assert missing.status_code == 404 and "no-such-clause" in missing.json()["detail"]


def test_the_openapi_document_accepts_our_own_examples(api: Any, cli_report: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = api.get("/openapi.json").json()

    def valid(instance: Any, ref: dict[str, Any]) -> None:
        jsonschema.Draft202012Validator({**ref, "components": doc["components"]}).validate(instance)

    body = doc["paths"]["/match"]["post"]["requestBody"]["content"]["application/json"]
    valid(body["example"], body["schema"])
    for path in sorted(EXAMPLES.glob("*.json")):
        valid(json.loads(path.read_text(encoding="utf-8")), body["schema"])
    ok = doc["paths"]["/match"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    valid(cli_report, ok)
    refused = doc["paths"]["/match"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    valid(api.post("/match", json={"name": "x", "revenue": "abc"}).json(), refused)
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        valid({"name": "x", "revenu": 1}, body["schema"])


def test_no_page_loads_anything_from_elsewhere(api: Any) -> None:
    assert api.get("/docs").status_code == 404 and api.get("/redoc").status_code == 404
    page = api.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text and "//cdn" not in page.text


def test_serve_binds_loopback_by_default_and_refuses_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.workers) == ("127.0.0.1", 8000, 1)
    for bad in (["--port", "70000"], ["--workers", "0"], ["--workers", "x"]):
        with pytest.raises(SystemExit) as stop:
            build_parser().parse_args(["serve", *bad])
        assert stop.value.code == 2
    capsys.readouterr()
    err = _cli_error(["serve", "--policies", "/no/such/folder"], capsys)
    assert "/no/such/folder" in err


def test_the_command_line_does_not_load_the_server_until_it_serves(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys, policymatch.cli as c; c.build_parser().parse_args(['serve']); "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
