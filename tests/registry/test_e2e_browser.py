"""End to end in headless Chromium: one filing from submission to a number, then an inspection."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest

from beian.registry.domain import YearSchedule
from tests.registry.conftest import LiveServer, World, write_package, zip_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def test_filing_walkthrough(world: World, live_server: LiveServer, browser: object,
                            tmp_path: Path) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    reg, base = world.reg, live_server.url
    today = dt.date.today()
    with reg.core.tx() as db:
        covered = reg.core.calendar(db).covers(today.year + 1)
    if not covered:  # the notice may run into next year: a test schedule stands in for it
        reg.admin.load_calendar(YearSchedule(today.year + 1, frozenset({dt.date(today.year + 1, 1, 1)}),
                                       frozenset(), "测试用安排"))
    pkg = tmp_path / "package.zip"
    pkg.write_bytes(zip_dir(write_package(tmp_path / "pkg")))
    supplement = tmp_path / "投诉渠道说明.md"
    supplement.write_text("# 投诉渠道\n电话 400-000-0000\n", encoding="utf-8")

    def login(who: str) -> Page:
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(f"{base}/login")
        pw, secret = world.users[who]
        page.fill("input[name=username]", who)
        page.fill("input[name=password]", pw)
        if secret:
            page.fill("input[name=totp]", pyotp.TOTP(secret).now())
        page.click("button[type=submit]")
        expect(page.locator("header")).to_contain_text(who)
        return page

    def act(page: Page, app_url: str, action: str, note: str = "") -> None:
        page.goto(app_url)
        form = page.locator(f"form[data-action={action}]")
        if note:
            form.locator("textarea[name=note]").fill(note)
        form.locator("button[type=submit]").click()
        expect(page.locator("p.ok")).to_contain_text("已办理")

    # 1. the applicant uploads the package made by `beian build` and submits it
    applicant = login("applicant")
    applicant.goto(f"{base}/applications")
    applicant.set_input_files("input[name=package]", str(pkg))
    applicant.fill("input[name=contact_name]", "王五")
    applicant.fill("input[name=contact_phone]", "13800138000")
    applicant.click("form[enctype] button[type=submit]")
    expect(applicant.locator("#state")).to_have_text("草稿")
    app_url = applicant.url.split("?")[0]
    act(applicant, app_url, "submit")
    expect(applicant.locator("#state")).to_have_text("已提交")

    # 2. the reviewer starts the review and asks for a supplement
    reviewer = login("reviewer")
    reviewer.goto(f"{base}/applications")
    expect(reviewer.locator("#applications")).to_contain_text("深度求索对话")
    act(reviewer, app_url, "start_review")
    expect(reviewer.locator("#checklist")).to_contain_text("BA-DOS-012")  # from findings.json
    act(reviewer, app_url, "request_supplement", "请补充投诉渠道说明")
    expect(reviewer.locator("#state")).to_have_text("待补正")

    # 3. the applicant answers with a new material
    applicant.goto(app_url)
    applicant.set_input_files("#upload input[name=files]", str(supplement))
    applicant.click("#upload button[type=submit]")
    expect(applicant.locator("p.ok")).to_contain_text("第 2 轮")
    act(applicant, app_url, "answer_supplement", "已补充投诉渠道")

    # 4. the reviewer completes the checklist and recommends the notice
    reviewer.goto(app_url)
    pending = [i for i, t in enumerate(
        reviewer.locator("#checklist .check-status").all_inner_texts()) if t != "通过"]
    assert pending  # the warning from findings.json and the test-access check start open
    for i in pending:
        row = reviewer.locator("#checklist tbody tr").nth(i)
        row.locator("select[name=status]").select_option("ok")
        row.locator("input[name=note]").fill("已核对")
        row.locator("button[type=submit]").click()
        expect(reviewer.locator("p.ok")).to_contain_text("清单已保存")
    assert set(reviewer.locator("#checklist .check-status").all_inner_texts()) == {"通过"}
    act(reviewer, app_url, "recommend", "材料齐全，同意公示")

    # 5. the approver publishes the notice
    approver = login("approver")
    act(approver, app_url, "publish_notice")
    expect(approver.locator("#state")).to_have_text("公示中")

    # 6. a member of the public objects
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{base}/notices")
    public.click("text=详情 / 异议")
    period = public.locator("#notice-period").inner_text()
    notice_end = dt.date.fromisoformat(period.split("至")[1].split("（")[0].strip())
    public.fill("input[name=name]", "张三")
    public.fill("textarea[name=text]", "该模型训练语料来源存疑")
    public.click("button[type=submit]")
    expect(public.locator("p.ok")).to_contain_text("异议已提交")

    # 7. the reviewer accepts the objection (only then does it reopen review); the approver
    #    dismisses it
    reviewer.goto(app_url)
    expect(reviewer.locator("#objections")).to_contain_text("训练语料来源存疑")
    expect(reviewer.locator("#state")).to_have_text("公示中")  # queued, nothing changed yet
    form = reviewer.locator("form.screen").first
    form.locator("input[name=note]").fill("涉及语料来源，受理")
    form.locator("button[value=accept]").click()
    expect(reviewer.locator("p.ok")).to_contain_text("已受理")
    expect(reviewer.locator("#state")).to_have_text("异议复核中")
    act(approver, app_url, "dismiss_objection", "经核实语料来源合法，异议不成立")
    expect(approver.locator("#state")).to_have_text("公示中")

    # 8. the notice ends (time passes: moved into the past, since a tick may not be dated
    #    in the future); the scheduler files it and issues the number
    from sqlalchemy import update

    from beian.registry.db import Application

    today = dt.date.today()
    assert notice_end >= today
    with reg.core.engine.begin() as conn:
        conn.execute(update(Application).values(notice_end=today - dt.timedelta(days=1)))
    notice_end = today - dt.timedelta(days=1)
    admin = login("admin")
    admin.goto(f"{base}/admin")
    admin.fill("input[name=date]", today.isoformat())
    admin.click("form[action='/admin/tick'] button")
    expect(admin.locator("#tick")).to_contain_text("Beijing-DeepseekChat-")
    expect(admin.locator("#audit")).to_contain_text("哈希链完整")
    public.goto(f"{base}/filed")
    number = public.locator("#filed td.number").first.inner_text()
    stamp = (notice_end + dt.timedelta(days=1)).strftime("%Y%m%d")
    assert number == f"Beijing-DeepseekChat-{stamp}0001"
    rows = list(csv.reader(io.StringIO(httpx.get(f"{base}/filed.csv").text.lstrip("\ufeff"))))
    assert rows[0] == ["序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"]
    assert rows[1][4] == number

    # 9. an inspection is opened
    inspector = login("inspector")
    act(inspector, app_url, "open_inspection", "年度安全检查")
    expect(inspector.locator("#state")).to_have_text("检查中")
    actions = [t.split()[0] for t in inspector.locator("#events tbody tr td:nth-child(4)")
               .all_inner_texts()]
    assert actions == ["提交申请", "开始审核", "要求补正", "提交补正材料", "审核通过，拟公示",
                       "发布公示", "受理异议，转入复核", "驳回异议，继续公示",
                       "公示期满，予以备案", "启动检查"]
    assert reg.admin.verify_audit()[1] == []
