"""Issue 18, finding 1: every request, upload and package is bounded; errors never echo input."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import select
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from fastapi.testclient import TestClient

from beian.errors import InputError
from beian.registry import read_package
from beian.registry._zipcheck import CD_ENTRY_MAX
from beian.registry.api import create_app
from tests.registry.conftest import LiveServer, World, write_package, zip_dir

MAX = 10 * 1024 * 1024


def _raw(server: LiveServer, method: str, path: str, headers: dict[str, str],
         body: bytes = b"") -> tuple[int, bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest(method, path)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body:
            # the server may answer and close before reading it all: what we want
            with contextlib.suppress(OSError):
                conn.send(body)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_oversized_login_is_refused_by_content_length(live_server: LiveServer) -> None:
    status, body = _raw(live_server, "POST", "/api/v1/auth/login",
                        {"Content-Type": "application/json",
                         "Content-Length": str(150 * 1024 * 1024)})
    assert status == 413 and len(body) < 1000


def test_oversized_chunked_body_is_cut_off_while_streaming(live_server: LiveServer) -> None:
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40)) + b"0\r\n\r\n"
    status, answer = _raw(live_server, "POST", "/api/v1/auth/login",
                          {"Content-Type": "application/json",
                           "Transfer-Encoding": "chunked"}, body)
    assert status == 413 and len(answer) < 1000


def test_anonymous_upload_is_refused_before_the_body(live_server: LiveServer) -> None:
    # declares 100 MiB and sends none of it: an answer proves nothing was waited for
    status, _ = _raw(live_server, "POST", "/api/v1/applications",
                     {"Content-Type": "multipart/form-data; boundary=x",
                      "Content-Length": str(100 * 1024 * 1024)})
    assert status == 401


def test_validation_errors_do_not_echo_input(world: World) -> None:
    client = TestClient(create_app(world.reg))
    secret = "S" * 500
    r = client.post("/api/v1/auth/login", json={"username": secret, "password": 5})
    assert r.status_code == 422
    assert secret not in r.text and "input" not in r.json()["detail"][0]


def _multipart(package: bytes, boundary: str = "beianslot") -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"package\"; "
            f"filename=\"p.zip\"\r\nContent-Type: application/zip\r\n\r\n").encode() \
        + package + f"\r\n--{boundary}--\r\n".encode()


def _start_upload(url: str, token: str, body: bytes) -> http.client.HTTPConnection:
    """An upload whose client sends its headers and half its body, then holds: a slow client."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("POST", "/api/v1/applications")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", "multipart/form-data; boundary=beianslot")
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    conn.send(body[: len(body) // 2])
    return conn


def test_upload_slots_are_limited(world: World, package_zip: bytes) -> None:
    """Three slow clients against two slots, over real HTTP: one of them waits
    ``upload_wait_seconds`` and gets 503 while the two others still hold theirs (with no limit
    none would answer before its body is complete); the two then finish with 201 and the slots
    are free again."""
    from beian._shared.serve import serve_in_thread

    world.reg.policy.max_concurrent_uploads = 2
    world.reg.policy.upload_wait_seconds = 0.5
    body = _multipart(package_zip)
    with serve_in_thread(create_app(world.reg), lifespan="off") as served:
        conns = [_start_upload(served.url, world.login("applicant", step=i - 1)[0], body)
                 for i in range(3)]
        try:
            ready, _, _ = select.select([c.sock for c in conns], [], [], 15)
            assert len(ready) == 1, "exactly one slow upload is answered before its body is sent"
            refused = next(c for c in conns if c.sock is ready[0])
            answer = refused.getresponse()
            assert answer.status == 503 and answer.getheader("Retry-After") == "5"
            assert "同时上传的材料过多" in json.loads(answer.read())["error"]
            held = [c for c in conns if c is not refused]
            for c in held:
                c.send(body[len(body) // 2:])
            assert [c.getresponse().status for c in held] == [201, 201]
        finally:
            for c in conns:
                c.close()
        token = world.login("applicant", step=1)[0]
        again = _start_upload(served.url, token, body)
        try:
            again.send(body[len(body) // 2:])
            assert again.getresponse().status == 201  # the slots were given back
        finally:
            again.close()


def _zip(files: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _with(tmp_path: Path, name: str, data: bytes) -> bytes:
    d = write_package(tmp_path / "p")
    (d / name).write_bytes(data)
    return zip_dir(d)


# a package is read from its bytes, or from the upload's spooled file (in memory or on disk)
INTAKES = ["bytes", "file", "spooled"]


@contextlib.contextmanager
def _intake(kind: str, blob: bytes) -> Iterator[bytes | IO[bytes]]:
    if kind == "bytes":
        yield blob
        return
    with (tempfile.SpooledTemporaryFile(max_size=1 << 30) if kind == "spooled"
          else tempfile.TemporaryFile()) as fh:
        fh.write(blob)
        fh.seek(0)
        yield fh


def _crc_broken(tmp_path: Path) -> bytes:
    blob = bytearray(zip_dir(write_package(tmp_path / "p")))
    at = blob.find(b"%PDF-1.4\n% filing form")
    blob[at + 2] ^= 0xFF  # stored data changed, CRC left as it was
    return bytes(blob)


@pytest.mark.parametrize("intake", INTAKES)
def test_bomb_is_refused_from_the_directory(intake: str) -> None:
    bomb = _zip({"manifest.json": b"{}", "big.bin": b"\0" * (8 * 1024 * 1024)},
                zipfile.ZIP_DEFLATED)
    assert len(bomb) < 100_000
    with _intake(intake, bomb) as src, pytest.raises(InputError, match="压缩比"):
        read_package(src, max_bytes=MAX)


def test_too_many_entries_refused() -> None:
    with pytest.raises(InputError, match="过多"):
        read_package(_zip({f"f{i}": b"x" for i in range(30)}), max_bytes=MAX, max_entries=10)


@pytest.mark.parametrize("intake", INTAKES)
def test_bad_crc_is_a_400(tmp_path: Path, intake: str) -> None:
    with _intake(intake, _crc_broken(tmp_path)) as src, pytest.raises(InputError, match="损坏"):
        read_package(src, max_bytes=MAX)


@pytest.mark.parametrize("name", ["crc", "bomb"])
def test_broken_package_over_http_is_a_400(world: World, tmp_path: Path, name: str) -> None:
    blob = _crc_broken(tmp_path)
    if name == "bomb":  # the whole package, and an 8 MiB file of zeros (about 8 KiB zipped)
        d = write_package(tmp_path / "b")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(d.iterdir()):
                zf.write(p, p.name)
            zf.writestr("bomb.bin", b"\0" * (8 * 1024 * 1024))
        blob = buf.getvalue()
    token, _ = world.login("applicant")
    r = TestClient(create_app(world.reg)).post(
        "/api/v1/applications", headers={"Authorization": f"Bearer {token}"},
        files={"package": ("p.zip", blob, "application/zip")})
    assert r.status_code == 400
    assert ("损坏" if name == "crc" else "压缩比") in r.json()["error"]


@pytest.mark.parametrize("intake", INTAKES)
@pytest.mark.parametrize(("name", "data", "where"), [
    ("findings.json", b"[1, 2]", "findings.json:0"),
    ("assessment.json", b'{"results": 5}', "assessment.json"),
    ("assessment.json", b'{"results": [1]}', "assessment.json"),
])
def test_malformed_meta_is_a_400_with_reason(world: World, tmp_path: Path, name: str,
                                             data: bytes, where: str, intake: str) -> None:
    blob = _with(tmp_path, name, data)
    with _intake(intake, blob) as src, pytest.raises(InputError) as exc:
        read_package(src, max_bytes=MAX)
    assert (exc.value.where or "").startswith(where)  # the file, and the field where the model names it
    if intake != "bytes":
        return  # over HTTP the upload is always a spooled file: once is enough
    client = TestClient(create_app(world.reg))
    token, _ = world.login("applicant")
    r = client.post("/api/v1/applications", headers={"Authorization": f"Bearer {token}"},
                    files={"package": ("p.zip", blob, "application/zip")})
    assert r.status_code == 400 and r.json()["where"].startswith(where)


def _cd_bomb(entries: int, *, declared: int | None = None, zip64: bool = False,
             offset_shift: int = 0) -> bytes:
    """One local header and ``entries`` 47-byte central-directory entries that all name it;
    the end record declares ``declared`` entries (default: the true count)."""
    name = b"a"
    lfh = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name
    cde = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name),
                      0, 0, 0, 0, 0, 0) + name
    cd = cde * entries
    count = entries if declared is None else declared
    offset = len(lfh) + offset_shift
    if not zip64:
        return lfh + cd + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF),
                                      min(count, 0xFFFF), len(cd), offset, 0)
    rec_at = len(lfh) + len(cd)
    rec = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(cd),
                      offset)
    loc = struct.pack("<4sLQL", b"PK\x06\x07", 0, rec_at, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                      0xFFFFFFFF, 0)
    return lfh + cd + rec + loc + end


@pytest.mark.parametrize("intake", INTAKES)
@pytest.mark.parametrize("zip64", [False, True])
def test_central_directory_bomb_is_refused_before_zipfile_parses_it(intake: str,
                                                                     zip64: bool) -> None:
    """Issue 18 review: the count is checked from the end record, before zipfile builds an
    entry for each of the 5,000 (after parsing them the message would say 5000 个)."""
    with _intake(intake, _cd_bomb(5000, zip64=zip64)) as src, \
            pytest.raises(InputError) as exc:
        read_package(src, max_bytes=MAX, max_entries=10)
    assert "中央目录声明 5000 个条目" in exc.value.what and "至多 10 个文件" in (exc.value.fix or "")


@pytest.mark.parametrize("zip64", [False, True])
def test_central_directory_whose_count_lies_is_refused_by_its_size(zip64: bool) -> None:
    """zipfile walks the directory by its size: a count of 1 over 5,000 entries is refused
    by the declared size, before they are parsed."""
    blob = _cd_bomb(5000, declared=1, zip64=zip64)
    with pytest.raises(InputError) as exc:
        read_package(blob, max_bytes=MAX, max_entries=10)
    assert f"中央目录过大（声明 {5000 * 47} 字节，上限 {20 * CD_ENTRY_MAX} 字节）" in exc.value.what


def test_central_directory_outside_the_file_is_refused() -> None:
    with pytest.raises(InputError, match="中央目录位置与文件大小不符"):
        read_package(_cd_bomb(3, offset_shift=10_000), max_bytes=MAX, max_entries=10)


def test_a_few_folder_entries_do_not_count_against_the_files(tmp_path: Path) -> None:
    """Zip tools list folders too: a package whose folders bring the entry count over
    ``max_entries`` is still read (only its files count)."""
    d = write_package(tmp_path / "p")
    files = sorted(p for p in d.iterdir() if p.is_file())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(3):
            zf.writestr(zipfile.ZipInfo(f"空目录{i}/"), b"")
        for p in files:
            zf.write(p, p.name)
    pkg = read_package(buf.getvalue(), max_bytes=MAX, max_entries=len(files))
    assert set(pkg.files) == {p.name for p in files}


@pytest.mark.parametrize("intake", INTAKES)
def test_a_listed_file_over_the_store_limit_is_refused_unread(tmp_path: Path,
                                                              intake: str) -> None:
    """A listed file larger than the blob store takes is refused from its declared size: its
    data (here with a broken CRC, which reading would report) is never read."""
    blob = _crc_broken(tmp_path)
    size = len(next(p for p in (tmp_path / "p").iterdir() if p.suffix == ".pdf").read_bytes())
    with _intake(intake, blob) as src, pytest.raises(InputError) as exc:
        read_package(src, max_bytes=MAX, max_file_bytes=size - 1)
    assert "文件过大" in exc.value.what and f"上限 {size - 1} 字节" in (exc.value.fix or "")
    with _intake(intake, blob) as src, pytest.raises(InputError, match="损坏"):
        read_package(src, max_bytes=MAX, max_file_bytes=size)


def test_the_registry_refuses_a_packaged_file_over_max_file_bytes(any_world: World,
                                                                   tmp_path: Path) -> None:
    d = write_package(tmp_path / "p")
    biggest = max((p for p in d.iterdir() if p.suffix == ".pdf"), key=lambda p: p.stat().st_size)
    size = biggest.stat().st_size
    any_world.reg.policy.max_file_bytes = size - 1
    with pytest.raises(InputError) as exc:
        any_world.reg.applications.create(any_world.actors["applicant"], zip_dir(d))
    assert exc.value.where == biggest.name and "单个材料上限" in (exc.value.fix or "")


def test_unnumberable_model_name_refused_at_intake(world: World, tmp_path: Path) -> None:
    blob = zip_dir(write_package(tmp_path / "p", model="ΑΒΓ"))
    with pytest.raises(InputError) as exc:
        world.reg.applications.create(world.actors["applicant"], blob)
    assert exc.value.where == "manifest.json:service.model_name"


def test_error_answer_is_small_json(world: World) -> None:
    client = TestClient(create_app(world.reg))
    r = client.post("/api/v1/auth/login", content=b"{" * 2000,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and len(r.content) < 2000
    json.loads(r.content)


@pytest.mark.parametrize(("kind", "field"), [("filing", "model_name"), ("registration", "name")])
def test_name_whose_number_overflows_refused_at_intake(any_world: World, tmp_path: Path,
                                                       kind: str, field: str) -> None:
    """A name of 40 Han characters is 160+ letters of pinyin: its number would not fit the
    120-character column, and filing it would fail in every tick on PostgreSQL."""
    long_name = "壮" * 40
    blob = zip_dir(write_package(tmp_path / "p", kind=kind, model=long_name, service=long_name))
    with pytest.raises(InputError, match="超过 120") as exc:
        any_world.reg.applications.create(any_world.actors["applicant"], blob)
    assert exc.value.where == f"manifest.json:service.{field}"
    ok = zip_dir(write_package(tmp_path / "q", kind=kind, model="壮" * 15, service="壮" * 15))
    assert any_world.reg.applications.create(any_world.actors["applicant"], ok)


def web_client(world: World, who: str) -> tuple[TestClient, str]:
    """A browser signed in as ``who`` (with TOTP where the role needs it) and its CSRF token."""
    from tests.registry.conftest import PASSWORD, totp_code, web_login

    client = TestClient(create_app(world.reg), raise_server_exceptions=False)
    assert web_login(client, who, PASSWORD, totp_code(world.users[who][1])).status_code == 303
    actor = world.reg.accounts.actor_for(client.cookies["beian_session"])
    assert actor is not None
    return client, actor.csrf


def test_too_long_form_values_are_a_clear_page_not_500(any_world: World, tmp_path: Path) -> None:
    """Each web form's text fields one character over the column (or the form's limit), on
    both databases: a Chinese 400/422 page, never a 500 (PostgreSQL refuses over-long values
    where SQLite stores them)."""
    from tests.registry.conftest import in_notice

    world = any_world
    pid = in_notice(world, tmp_path)
    admin, a_csrf = web_client(world, "admin")
    applicant, p_csrf = web_client(world, "applicant")
    reviewer, r_csrf = web_client(world, "reviewer")
    org = str(world.actors["applicant"].org_id)
    long = "长" * 5001
    cases: list[tuple[TestClient, str, dict[str, str]]] = [
        (admin, "/admin/orgs", {"csrf_token": a_csrf, "name": "名" * 201, "kind": "provider",
                                "province": "北京", "uscc": "91110000600037341L"}),
        (admin, "/admin/orgs", {"csrf_token": a_csrf, "name": "某公司", "kind": "provider",
                                "province": "北" * 41, "uscc": "91110000600037341L"}),
        (admin, "/admin/orgs", {"csrf_token": a_csrf, "name": "某公司", "kind": "provider",
                                "province": "北京", "uscc": "9" * 19}),
        (admin, "/admin/users", {"csrf_token": a_csrf, "username": "u" * 81,
                                 "role": "applicant", "org_id": org}),
        (admin, "/admin/users", {"csrf_token": a_csrf, "username": "zhang", "role": "applicant",
                                 "org_id": org, "display_name": "张" * 121}),
        (applicant, f"/notices/{pid}/objection", {"name": "王" * 81, "text": "理由"}),
        (applicant, f"/notices/{pid}/objection", {"name": "王五", "text": long}),
        (applicant, f"/notices/{pid}/objection", {"name": "王五", "text": "理由",
                                                  "contact": "1" * 201}),
        (applicant, f"/applications/{pid}/act", {"csrf_token": p_csrf, "action": "a" * 41}),
        (reviewer, f"/applications/{pid}/act", {"csrf_token": r_csrf, "action": "reject",
                                                "note": long}),
        (reviewer, f"/applications/{pid}/checklist/1", {"csrf_token": r_csrf,
                                                        "status": "o" * 11}),
        (reviewer, f"/applications/{pid}/checklist/1", {"csrf_token": r_csrf, "status": "ok",
                                                        "note": long}),
    ]
    for client, url, data in cases:
        r = client.post(url, data=data, follow_redirects=False)
        assert r.status_code in (400, 422), (url, r.status_code, r.text[:300])
        assert "text/html" in r.headers["content-type"] and "长" * 100 not in r.text, url
        assert "错误：" in r.text and ("表单字段" in r.text or "至多" in r.text), url
    pkg = zip_dir(write_package(tmp_path / "q"))
    for field, limit in (("contact_name", 80), ("contact_phone", 40),
                         ("contact_id_number", 40), ("address", 300)):
        r = applicant.post("/applications", data={"csrf_token": p_csrf, field: "长" * (limit + 1)},
                           files={"package": ("p.zip", pkg, "application/zip")},
                           follow_redirects=False)
        assert r.status_code in (400, 422), (field, r.status_code, r.text[:300])
    with world.reg.core.tx() as db:
        from sqlalchemy import func, select

        from beian.registry.db import Application, Organization
        assert db.scalar(select(func.count()).select_from(Application)) == 1
        assert "某公司" not in set(db.scalars(select(Organization.name)))
