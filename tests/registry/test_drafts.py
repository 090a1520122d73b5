"""Issue 19: the registry works to the edition in force, refuses draft packages unless its
policy allows them, and shows a draft (or an older edition) to the reviewer as a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient

from beian.errors import InputError
from beian.registry import Settings
from beian.registry._applications import DRAFT_WARNING
from beian.registry.api import create_app
from beian.standards import DEFAULT_EDITION
from tests.registry.conftest import PASSWORD, World, web_login, write_package, zip_dir

BLOCKING = [{"code": "BA-LEX-001", "severity": "阻断", "clause": "8.1", "message": "关键词不足"}]


def _package(
    tmp_path: Path,
    *,
    draft: bool = False,
    edition: str | None = None,
    findings: list[dict[str, object]] | None = None,
) -> bytes:
    d = write_package(tmp_path / "p", findings=findings)
    m = json.loads((d / "manifest.json").read_text("utf-8"))
    m["draft"] = draft
    if edition:
        m["edition"] = edition
    (d / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), "utf-8")
    return zip_dir(d)


def test_the_edition_in_force_is_the_default() -> None:
    assert Settings().edition == DEFAULT_EDITION == "gbt-45654-2025"


@pytest.mark.parametrize(
    ("draft", "findings"),
    [(True, None), (False, BLOCKING)],  # the flag, or a blocking finding behind a cleared flag
    ids=["flagged", "blocking-finding"],
)
def test_a_draft_package_is_refused_by_default(
    world: World, tmp_path: Path, draft: bool, findings: list[dict[str, object]] | None
) -> None:
    with pytest.raises(InputError) as exc:
        world.reg.applications.create(
            world.actors["applicant"], _package(tmp_path, draft=draft, findings=findings)
        )
    assert exc.value.where == "manifest.json:draft" and "草稿" in exc.value.what
    assert "accept_draft_packages" in (exc.value.fix or "")
    assert world.reg.applications.list_for(world.actors["applicant"]) == []


def test_an_unknown_edition_is_refused(world: World, tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        world.reg.applications.create(world.actors["applicant"], _package(tmp_path, edition="x-1"))
    assert exc.value.where == "manifest.json:edition"


def _reviewer_client(world: World) -> TestClient:
    client = TestClient(create_app(world.reg))
    secret = world.users["reviewer"][1]
    assert secret
    r = web_login(client, "reviewer", PASSWORD, pyotp.TOTP(secret).now())
    assert r.status_code == 303
    return client


def test_an_accepted_draft_is_shown_to_the_reviewer_as_one(world: World, tmp_path: Path) -> None:
    world.reg.core.policy.accept_draft_packages = True
    a = world.actors
    pid = world.reg.applications.create(a["applicant"], _package(tmp_path, draft=True))
    world.reg.lifecycle.act(a["applicant"], pid, "submit")
    view = world.reg.applications.get(a["reviewer"], pid)
    assert view["draft"] is True and DRAFT_WARNING in view["warnings"]
    client = _reviewer_client(world)
    api = client.get(f"/api/v1/applications/{pid}").json()
    assert api["draft"] is True and DRAFT_WARNING in api["warnings"]
    page = client.get(f"/applications/{pid}").text
    assert f'<p class="warning" role="alert">{DRAFT_WARNING}</p>' in page
    assert "草稿（存在未解决的阻断级问题）" in page
    assert '<span class="warning-tag">草稿</span>' in client.get("/applications").text


def test_a_clean_package_under_the_older_edition_is_flagged(world: World, tmp_path: Path) -> None:
    a = world.actors
    pid = world.reg.applications.create(a["applicant"], _package(tmp_path))  # tc260-003-2024
    view = world.reg.applications.get(a["applicant"], pid)
    assert view["draft"] is False
    assert view["warnings"] == [
        "材料包依据 TC260-003（tc260-003-2024），现行标准为 GB/T 45654-2025（gbt-45654-2025）"
    ]
    pid2 = world.reg.applications.create(
        a["applicant"], _package(tmp_path / "b", edition=DEFAULT_EDITION)
    )
    assert world.reg.applications.get(a["applicant"], pid2)["warnings"] == []
