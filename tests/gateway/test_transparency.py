"""``GET /transparency``: the notice `beian build` / `beian transparency` wrote, served as is,
with the 备案号 once `beian transparency --number` has written it in."""

from __future__ import annotations

from pathlib import Path

import httpx

from beian.dossier import DossierContext, init_dossier, write_transparency
from tests.conftest import run_cli
from tests.gateway.conftest import MakeGateway


def test_the_notice_is_served_and_follows_its_file(
    make_gateway: MakeGateway, tmp_path: Path
) -> None:
    d = tmp_path / "dossier"
    init_dossier(d, example=True)
    page = write_transparency(DossierContext.load(d), tmp_path / "notice.html")
    g = make_gateway(transparency={"page": str(page)})
    r = httpx.get(g.root_url + "/transparency")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "示例助手 服务透明度说明" in r.text and "备案办理中" in r.text
    # the 备案号 is issued: the provider writes it in; the gateway serves the new file at once
    cli = run_cli(
        "transparency", str(d), "-o", str(page), "--number", "Beijing-ShiLiChat-202701150001"
    )
    assert cli.returncode == 0, cli.stderr
    r = httpx.get(g.root_url + "/transparency")
    assert "Beijing-ShiLiChat-202701150001" in r.text and "备案办理中" not in r.text


def test_without_a_notice_the_page_says_so(make_gateway: MakeGateway, tmp_path: Path) -> None:
    g = make_gateway()
    r = httpx.get(g.root_url + "/transparency")
    assert r.status_code == 404 and "尚未配置服务透明度说明" in r.text
    g2 = make_gateway(transparency={"page": str(tmp_path / "gone.html")})
    assert httpx.get(g2.root_url + "/transparency").status_code == 503
    broken = tmp_path / "broken.html"  # a UTF-16 mark and then no UTF-16: 503, not a crash
    broken.write_bytes(b"\xff\xfe\x00\xd8\x00\x00<p>")
    g3 = make_gateway(transparency={"page": str(broken)})
    assert httpx.get(g3.root_url + "/transparency").status_code == 503


def test_the_cli_refuses_an_unknown_format(tmp_path: Path) -> None:
    d = tmp_path / "dossier"
    init_dossier(d, example=True)
    r = run_cli("transparency", str(d), "-o", str(tmp_path / "notice.pdf"))
    assert (
        r.returncode == 2
        and "不支持的输出格式" in r.stderr
        and not (tmp_path / "notice.pdf").exists()
    )
