"""The staff page at `/` in a real headless Chromium (Debian's, through Playwright), phone width:
fill the form, submit, read the answer; a bad value shows the server's message by its field."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
sync_api = pytest.importorskip("playwright.sync_api")

from policymatch.fields import PROFILE_FIELDS  # noqa: E402

CHROMIUM = Path(os.environ.get("POLICYMATCH_CHROMIUM", "/usr/bin/chromium"))
PAGE = Path(__file__).resolve().parents[1] / "policymatch" / "server" / "page.html"
MAKER = Path(__file__).resolve().parents[1] / "examples" / "auto_parts_maker.json"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: what a visit collects, from examples/auto_parts_maker.json, typed as staff would type it
FACTS = {"name": "嵊州示例汽车零部件制造有限公司", "region": "嵊州市", "park": "嵊州经济开发区",
         "industry": "新能源汽车及零部件", "established": "2008-04-15",
         "description": "新能源汽车电驱动系统零部件、精密铝合金压铸件、汽车电机壳体的生产与销售",
         "employees": "640", "revenue": "9.5亿", "tax_paid": "4200万", "rd_expense": "3600万",
         "equipment_investment": "6800万", "fixed_asset_investment": "1.5亿", "export_value": "1.2亿",
         "loan_amount": "5000万", "revenue_growth": "0.18",
         "qualifications": "国家高新技术企业、省专精特新中小企业",
         "new_qualifications": "国家级专精特新小巨人、省级智能工厂",
         "talents.master": "5", "talents.bachelor": "40", "talents.high_skilled": "12"}
CHOICES = {"is_above_scale": "true", "credit_clean": "true", "safety_incident_free": "true"}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (CI installs it)")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            args=FLAGS, headless=True, viewport={"width": 390, "height": 844}, locale="zh-CN",
            service_workers="block")
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any, server_url: str) -> Any:
    tab = browser.new_page()
    outside: list[str] = []
    tab.on("request", lambda r: None if r.url.startswith(server_url) else outside.append(r.url))
    tab.goto(server_url + "/")
    yield tab
    tab.close()
    assert outside == [], "the page asked for something outside the server"


def _fill(page: Any, facts: dict[str, str]) -> None:
    for name, value in facts.items():
        page.locator(f'[name="{name}"]').fill(value)
    for name, value in CHOICES.items():
        page.locator(f'[name="{name}"]').select_option(value)


def test_the_labels_are_the_command_lines(page: Any) -> None:
    for field in page.locator("input[name], select[name], textarea[name]").all():
        name = field.get_attribute("name")
        if name in PROFILE_FIELDS:
            label = page.locator(f'label[for="f-{name}"]').inner_text()
            assert label.startswith(PROFILE_FIELDS[name].label), (name, label)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400  # nothing sticks out at phone width
    small = page.evaluate("""[...document.querySelectorAll('input, select, button')]
        .filter(e => e.getBoundingClientRect().height < 44).length""")
    assert small == 0  # touch targets at least 44 px high


def test_fill_submit_and_read_the_answer(page: Any, server_url: str, tmp_path: Path) -> None:
    import httpx

    _fill(page, FACTS)
    page.locator("#go").click()
    page.locator("#eligible li").first.wait_for()
    sent: dict[str, Any] = {k: v for k, v in FACTS.items() if "." not in k}
    sent["talents"] = {k.split(".")[1]: v for k, v in FACTS.items() if k.startswith("talents.")}
    sent.update({k: v == "true" for k, v in CHOICES.items()})
    report = httpx.post(server_url + "/match", json=sent, timeout=60).json()  # the same facts
    maker = httpx.post(server_url + "/match", content=MAKER.read_bytes(), timeout=60).json()
    assert report["total_amount"] == maker["total_amount"]  # the example's facts, as a form has them
    summary = page.locator("#summary").inner_text()
    assert report["summary"] in summary  # the library's words, not the page's
    item = page.locator('#eligible li[data-clause="sz9-mfg-jgbg"]')
    assert item.locator(".amount").inner_text() == "816万元"
    assert "设备投资额" in item.inner_text()
    person = page.locator('#eligible li[data-clause="szx-aj-zf-master"] .amount').inner_text()
    assert person.endswith("·个人")  # whose money it is
    eligible = [m["clause_id"] for m in report["matches"] if m["status"] == "eligible"]
    shown = page.locator("#eligible li").evaluate_all("els => els.map(e => e.dataset.clause)")
    assert shown == eligible
    view = httpx.post(server_url + "/match/display", json=sent, timeout=60).json()
    possible = [c for c in view["rows"] if c not in eligible]
    assert page.locator("#possible li").evaluate_all("els => els.map(e => e.dataset.clause)") == possible
    assert len(possible) < sum(m["status"] == "possible" for m in report["matches"])  # folded as the CLI does
    assert f"另有 {view['less_relevant']} 条待确认的条款相关度较低" in page.locator("#folded").inner_text()
    loan = page.locator('#possible li[data-clause="sz9-fin-jgdk"]').inner_text()
    assert "缺：贷款期限" in loan and "这笔技术改造贷款的期限是几年？" in loan
    first_question = page.locator("#questions li").first.inner_text()
    assert first_question == report["questions"][0]["question"]
    page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)
    assert (tmp_path / "answer.png").stat().st_size > 10_000


@pytest.mark.parametrize("value", ["abc", "-5"])
def test_a_bad_value_shows_the_servers_message_by_its_field(page: Any, server_url: str, value: str,
                                                             tmp_path: Path) -> None:
    import httpx

    _fill(page, {"name": "某公司", "revenue": value})
    page.locator("#go").click()
    error = page.locator('[data-error-for="revenue"]')
    error.wait_for()
    expected = httpx.post(server_url + "/match", json={"name": "某公司", "revenue": value}).json()
    assert error.inner_text() == expected["problems"][0]["message"]
    assert re.search(r"revenue: .*" + re.escape(value), error.inner_text())
    assert page.locator('[name="revenue"]').get_attribute("aria-invalid") == "true"
    assert page.locator("#eligible-box").is_hidden()
    page.screenshot(path=str(tmp_path / "error.png"))
    page.locator('[name="revenue"]').fill("800万")  # fixed: the message goes, the answer comes
    page.locator("#go").click()
    page.locator("#summary").wait_for()
    assert error.inner_text() == ""


def test_the_page_is_one_file_with_nothing_from_elsewhere() -> None:
    html = PAGE.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=""", html)
    assert "http" not in html


def test_a_name_the_library_does_not_know_is_shown_with_its_suggestions(page: Any, server_url: str) -> None:
    import httpx

    _fill(page, {"name": "某公司", "region": "嵊州市", "qualifications": "国家高薪技术企业"})
    page.locator("#go").click()
    page.locator("#summary").wait_for()
    expected = httpx.post(server_url + "/match", json={"name": "某公司", "region": "嵊州市",
                                                       "qualifications": "国家高薪技术企业"}).json()
    assert expected["unrecognized"], "the misspelt name is not flagged by the library"
    assert page.locator("#unrecognized li").all_inner_texts() == [u["text"] for u in expected["unrecognized"]]
