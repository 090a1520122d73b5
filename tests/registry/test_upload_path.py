"""The upload path's costs: a body handed to the form parser in pieces of about 1 MiB (few trips
to a worker thread), the package read from the spooled upload file, each file hashed once."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import anyio
import httpx
from fastapi.testclient import TestClient

from beian._shared.serve import serve_in_thread
from beian.registry import read_package
from beian.registry.api import create_app
from beian.registry.api._limits import RequestLimits
from tests.registry.conftest import PASSWORD, World, web_login, write_package, zip_dir

KIB = 1024


def _with_attachment(directory: Path, mib: int) -> tuple[bytes, str, int]:
    """A package with an ``mib`` MiB attachment listed in its manifest: (zip, its hash, size)."""
    d = write_package(directory)
    big = b"%PDF-1.4\n" + bytes(range(256)) * (mib * 4096)  # stored in the zip as it is
    (d / "附件.pdf").write_bytes(big)
    manifest = json.loads((d / "manifest.json").read_text("utf-8"))
    digest = hashlib.sha256(big).hexdigest()
    manifest["files"].append({"path": "附件.pdf", "sha256": digest, "size": len(big),
                              "kind": "attachment"})
    (d / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return zip_dir(d), digest, len(big)


def _serve(world: World, path: str, chunks: list[bytes], *,
           leave_after: int | None = None) -> tuple[list[int], list[str], list[int]]:
    """Send ``chunks`` (as the server reads them) through :class:`RequestLimits` to an app
    that reads the whole body; returns (body sizes the app got, message types it got, statuses
    answered). ``leave_after``: the client leaves after that many chunks."""
    token = world.login("applicant")[0]
    scope = {"type": "http", "method": "POST", "path": path,
             "headers": [(b"authorization", f"Bearer {token}".encode())]}
    sizes: list[int] = []
    kinds: list[str] = []
    statuses: list[int] = []
    sent = list(chunks)

    async def receive() -> dict[str, Any]:
        if leave_after is not None and len(chunks) - len(sent) >= leave_after:
            return {"type": "http.disconnect"}
        body = sent.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(sent)}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            msg = await receive()
            kinds.append(msg["type"])
            if msg["type"] != "http.request":
                return
            sizes.append(len(msg["body"]))
            if not msg.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def send(msg: dict[str, Any]) -> None:
        if msg["type"] == "http.response.start":
            statuses.append(msg["status"])

    async def main() -> None:
        await RequestLimits(app, world.reg)(scope, receive, send)

    anyio.run(main)
    return sizes, kinds, statuses


def test_an_upload_reaches_the_app_in_pieces_of_a_mebibyte(world: World) -> None:
    chunks = [b"x" * (64 * KIB)] * 80 + [b"tail"]  # 5 MiB and 4 bytes, as uvicorn reads it
    sizes, _, statuses = _serve(world, "/api/v1/applications", chunks)
    assert statuses == [201] and sum(sizes) == 80 * 64 * KIB + 4
    assert sizes == [1024 * KIB] * 5 + [4]  # 6 pieces, not 81
    # any other request's body is handed on as it comes
    sizes, _, _ = _serve(world, "/api/v1/auth/login", [b"{}", b" "])
    assert sizes == [2, 1]


def test_a_client_leaving_while_a_piece_is_gathered_is_handed_on(world: World) -> None:
    sizes, kinds, _ = _serve(world, "/api/v1/applications", [b"x" * (64 * KIB)] * 10,
                             leave_after=3)
    assert kinds == ["http.disconnect"] and sizes == []


def test_an_oversized_upload_is_still_cut_off_while_streaming(world: World) -> None:
    world.reg.policy.max_package_bytes = 1024  # the bound: 1 KiB + the multipart slack (1 MiB)
    sizes, kinds, statuses = _serve(world, "/api/v1/applications",
                                    [b"x" * (64 * KIB)] * 48)  # 3 MiB
    # the first piece is within the bound; the app learns the client left before the second
    assert statuses == [413] and kinds == ["http.request", "http.disconnect"]
    assert sizes == [1024 * KIB]


def test_a_package_is_read_from_its_file_as_from_its_bytes(any_world: World,
                                                            tmp_path: Path) -> None:
    """Intake from the spooled upload file (what the routes pass) and intake from the bytes
    each store every file so that it reads back, through the registry (whose blob store
    re-hashes what it reads), as the very bytes the package holds."""
    d = write_package(tmp_path / "p")
    blob = zip_dir(d)
    with tempfile.TemporaryFile() as fh:
        fh.write(blob)
        pkg = read_package(fh, max_bytes=10 * 2**20)
    listed = {f.path: f.sha256 for f in pkg.manifest.files}
    assert pkg.digests == listed
    applicant = any_world.actors["applicant"]
    for intake in (io.BytesIO(blob), blob):
        pid = any_world.reg.applications.create(applicant, intake)
        stored = any_world.reg.applications.materials(applicant, pid)
        assert {m["path"] for m in stored} == set(pkg.files)
        for m in stored:
            data, _media, path = any_world.reg.applications.material(applicant, pid, m["sha256"])
            assert data == (d / path).read_bytes() and m["size"] == len(data)
            if path in listed:
                assert m["sha256"] == listed[path]


def test_a_large_upload_over_http_is_stored_whole(any_world: World, tmp_path: Path) -> None:
    """Over real HTTP a 3 MiB package rolls its spooled file to disk, arrives in pieces and is
    read from that file: 201, and the attachment is stored with its own hash and size."""
    blob, digest, size = _with_attachment(tmp_path / "p", 3)
    token = any_world.login("applicant")[0]
    with serve_in_thread(create_app(any_world.reg), lifespan="off") as served:
        r = httpx.post(f"{served.url}/api/v1/applications", timeout=60,
                       headers={"Authorization": f"Bearer {token}"},
                       files={"package": ("p.zip", blob, "application/zip")})
    assert r.status_code == 201, r.text
    got = {m["path"]: (m["sha256"], m["size"]) for m in any_world.reg.applications.materials(
        any_world.actors["applicant"], r.json()["id"])}
    assert got["附件.pdf"] == (digest, size)


def test_the_web_form_takes_a_package_from_its_spooled_file(world: World, tmp_path: Path) -> None:
    """The web upload form hands the spooled file to intake as the API does: a package larger
    than the in-memory spool (1 MiB) becomes a draft with its attachment stored whole."""
    blob, _, size = _with_attachment(tmp_path / "p", 2)
    client = TestClient(create_app(world.reg))
    assert web_login(client, "applicant", PASSWORD).status_code == 303
    actor = world.reg.accounts.actor_for(client.cookies["beian_session"])
    assert actor is not None
    r = client.post("/applications", data={"csrf_token": actor.csrf},
                    files={"package": ("p.zip", blob, "application/zip")},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    pid = r.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    sizes = {m["path"]: m["size"] for m in world.reg.applications.materials(actor, pid)}
    assert sizes["附件.pdf"] == size
