"""Registry benchmarks: throughput of the library on SQLite, and the served registry under load.

1. Throughput (library calls, SQLite): intake, transitions, number allocation, audit
   verification, each compared with a baseline measured in the same run: a bare SQLAlchemy
   insert of one row per operation into the same database.
2. Load (``beian serve`` in its own process, HTTP on loopback, SQLite and PostgreSQL): 32
   concurrent clients — 24 readers (application list and detail, events, public notices and
   filed list; "read list" is ``GET /api/v1/applications`` with no parameters, the first page
   of the default 100 newest as a client reads it, its total in ``X-Total-Count``, while the
   uploads grow the list from 50 to several hundred rows) and 8 writers (4 uploading and submitting packages, 4 filling the checklist) —
   for a bounded time; p50/p99 per kind and errors (any 5xx, refused connection or unexpected
   status). The baseline is the same readers alone for a few seconds in the same run (ratio =
   with writers / alone). Target: read p99 ≤ 250 ms, 0 errors. The load generator runs on
   aiohttp + uvloop and reports its own CPU per request beside the server's: the two share the
   machine's cores (with httpx the client spent about as much CPU per request as the server).
3. Upload flood: 32 clients uploading at once for up to 10 s: only 201 or 503 (the upload
   slots) are expected; anything else is an error. The server's CPU over the flood per
   accepted upload is ``upload_flood.server_cpu_ms_per_upload`` (the probes' share included). Beside the flood three probes, one client
   each, measure what the flood does to others: API logins, checklist writes and web pages
   (home, application list, notices); the same probes alone for a few seconds before the
   flood are their baseline (``upload_flood.probes_alone`` / ``probes_during_flood``).

Writes ``benchmarks/results/registry.json``.

    .venv/bin/python benchmarks/registry_bench.py                    # 100 apps, 20 s per backend
    .venv/bin/python benchmarks/registry_bench.py --seconds 60 --full  # the issue's 60 s, 1000 apps
    # PostgreSQL: --postgres URL or BEIAN_TEST_POSTGRES_URL (else the backend is skipped)
    # --baseline-src ../main/src: that tree's server under the same load first, same run
    # --only sqlite|postgresql: one backend; --out FILE: results elsewhere than registry.json
    # --flood-mib N: the upload flood's packages carry an N MiB attachment (default 8)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from beian.assess import AssessmentLog
from beian.crypto import KeyRing
from beian.registry import Registry, Settings
from beian.registry.db import Counter
from beian.registry.domain import OrgKind, Policy, Role
from beian.standards import load_edition

RESULTS = Path(__file__).resolve().parent / "results" / "registry.json"
PASSWORD = "benchmark-office-pw"


def _package(attachment_mib: float = 0) -> bytes:
    """A valid package; ``attachment_mib``: with an incompressible attachment of that size (a
    large upload, as the upload flood sends: reading and checking it takes a worker thread
    for a while)."""
    files, buf = [], io.BytesIO()
    extra = ([("附件.pdf", "attachment",
               b"%PDF-1.4 " + random.Random(7).randbytes(int(attachment_mib * 2**20)))]
             if attachment_mib else [])
    with zipfile.ZipFile(buf, "w") as zf:
        for name, kind, data in (("表.pdf", "filing_form", "%PDF-1.4 表.pdf".encode()),
                                 ("报告.pdf", "assessment_report", "%PDF-1.4 报告.pdf".encode()),
                                 *extra):
            zf.writestr(name, data)
            files.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(),
                          "size": len(data), "kind": kind})
        zf.writestr("manifest.json", json.dumps({
            "format": "beian-package/1", "tool": "beian bench", "edition": "tc260-003-2024",
            "provider": {"name": "基准公司", "uscc": "91110000600037341L", "province": "北京"},
            "service": {"name": "基准服务", "model_name": "bench-model", "kind": "filing"},
            "files": files}, ensure_ascii=False))
        zf.writestr("findings.json", "[]")
        zf.writestr("assessment.json", AssessmentLog.for_edition(load_edition()).model_dump_json())
    return buf.getvalue()


def _timed(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) / n * 1000


def throughput(n: int) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="beian-reg-bench-"))
    KeyRing.generate().save(tmp / "keys.json")
    reg = Registry.open(Settings(data_dir=tmp / "data", key_file=tmp / "keys.json",
                                 policy=Policy(argon2_time_cost=1, argon2_memory_kib=1024)))
    org = reg.accounts.create_org("基准公司", OrgKind.PROVIDER, "北京", "91110000600037341L")
    bj = reg.accounts.create_org("北京市网信办", OrgKind.REGISTRAR, "北京")
    reg.accounts.create_user("app", Role.APPLICANT, org, password=PASSWORD)
    reg.accounts.create_user("rev", Role.REVIEWER, bj, password=PASSWORD)
    applicant, reviewer = reg.accounts.actor("app"), reg.accounts.actor("rev")
    pkg = _package()

    def baseline() -> None:
        for i in range(n):
            with reg.core.tx() as db:
                db.add(Counter(key=f"baseline:{i}", value=i))

    ids: list[str] = []

    def intake() -> None:
        ids.extend(reg.applications.create(applicant, pkg, {"contact_phone": "13800000000"})
                   for _ in range(n))

    def transitions() -> None:
        for pid in ids:
            reg.lifecycle.act(applicant, pid, "submit")
            reg.lifecycle.act(reviewer, pid, "start_review")

    def serials() -> None:
        def work() -> None:
            for _ in range(n // 4):
                reg.lifecycle.take_serial(f"filing:Beijing:{dt.date.today():%Y%m%d}")
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    base_ms = _timed(baseline, n)
    intake_ms = _timed(intake, n)
    trans_ms = _timed(transitions, 2 * n)
    serial_ms = _timed(serials, 4 * (n // 4))
    t = time.perf_counter()
    rows, problems = reg.admin.verify_audit()
    verify_s = time.perf_counter() - t
    assert not problems
    t = time.perf_counter()
    listed = reg.applications.list_for(reviewer)
    list_ms = (time.perf_counter() - t) * 1000
    assert len(listed) == n
    t = time.perf_counter()
    page = reg.applications.list_for(reviewer, limit=100)
    total = reg.applications.count_for(reviewer)
    page_ms = (time.perf_counter() - t) * 1000
    assert len(page) == min(n, 100) and total == n
    result = {
        "apps": n, "machine": platform.platform(), "python": platform.python_version(),
        "baseline_insert_ms": round(base_ms, 3),
        "intake_ms_per_app": round(intake_ms, 3),
        "transition_ms": round(trans_ms, 3),
        "serial_ms_4_threads": round(serial_ms, 3),
        "audit_rows": rows, "audit_verify_rows_per_s": round(rows / verify_s),
        "list_ms": round(list_ms, 2),  # every row (the library's list without a limit)
        "list_first_page_ms": round(page_ms, 2),  # the API's default page: 100 rows + the count
        "ratios_vs_baseline": {"intake": round(intake_ms / base_ms, 2),
                               "transition": round(trans_ms / base_ms, 2),
                               "serial": round(serial_ms / base_ms, 2)},
    }
    reg.close()
    for k, v in result.items():
        print(f"{k:>26}: {v}")
    return result


# --- the served registry under load ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(settings: Settings, apps: int, pkg: bytes) -> dict[str, str | None]:
    """Users and ``apps`` submitted applications; returns the TOTP secret per user."""
    reg = Registry.open(settings)
    try:
        org = reg.accounts.create_org("基准公司", OrgKind.PROVIDER, "北京", "91110000600037341L")
        bj = reg.accounts.create_org("北京市网信办", OrgKind.REGISTRAR, "北京")
        secrets = {u: reg.accounts.create_user(u, r, o, password=PASSWORD).totp_secret
                   for u, r, o in (("app", Role.APPLICANT, org), ("rev", Role.REVIEWER, bj))}
        applicant, reviewer = reg.accounts.actor("app"), reg.accounts.actor("rev")
        for _ in range(apps):
            pid = reg.applications.create(applicant, pkg)
            reg.lifecycle.act(applicant, pid, "submit")
        for pid in [a["id"] for a in reg.applications.list_for(reviewer)][: apps // 2]:
            reg.lifecycle.act(reviewer, pid, "start_review")
        return secrets
    finally:
        reg.close()


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _server(tmp: Path, database_url: str | None,
            src: str | None = None) -> Iterator[tuple[str, int]]:
    """``beian serve`` in its own process (as deployed), on a free loopback port; ``src``: run
    another source tree's ``beian`` (the baseline) against the same data."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEIAN_")}
    if src:
        env["PYTHONPATH"] = src
    env["BEIAN_KEY_FILE"] = str(tmp / "keys.json")
    if database_url:
        env["BEIAN_DATABASE_URL"] = database_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "beian", "serve", "--port", str(port), "--tick-hours", "0",
         "--data-dir", str(tmp / "data")], cwd=tmp, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/v1/public/filed", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("beian serve did not start")
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


class _Stats:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def add(self, kind: str, ms: float, ok: bool, why: str = "") -> None:
        self.ms.setdefault(kind, []).append(ms)
        if not ok:
            self.errors[f"{kind}: {why}"] = self.errors.get(f"{kind}: {why}", 0) + 1

    def summary(self, seconds: float) -> dict[str, object]:
        def pct(xs: list[float]) -> dict[str, float | int]:
            q = statistics.quantiles(xs, n=100) if len(xs) > 1 else xs * 99
            return {"n": len(xs), "p50_ms": round(statistics.median(xs), 1),
                    "p99_ms": round(q[98], 1)}

        reads = [x for k, xs in self.ms.items() if k.startswith("read") for x in xs]
        writes = [x for k, xs in self.ms.items() if k.startswith("write") for x in xs]
        total = sum(len(xs) for xs in self.ms.values())
        return {"rps": round(total / seconds, 1), "reads": pct(reads) if reads else None,
                "writes": pct(writes) if writes else None,
                "by_kind": {k: pct(xs) for k, xs in sorted(self.ms.items())},
                "errors": sum(self.errors.values()), "error_kinds": self.errors}


def _run(coro: Any) -> Any:
    """Run the load generator on uvloop where it is installed (a registry dependency): with
    aiohttp the client spends a fraction of what the server does per request, so the two cores
    go to the server (httpx on asyncio cost about as much CPU per request as the server)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def _session(url: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(base_url=url, timeout=aiohttp.ClientTimeout(total=60),
                                 connector=aiohttp.TCPConnector(limit=64))


async def _call(stats: _Stats, kind: str, req: Any, expect: tuple[int, ...]) -> Any:
    """Time one request until its whole answer is read; returns (status, body) or None."""
    t = time.perf_counter()
    try:
        async with req as r:
            body = await r.read()
    except (TimeoutError, aiohttp.ClientError) as exc:
        stats.add(kind, (time.perf_counter() - t) * 1000, False, type(exc).__name__)
        return None
    stats.add(kind, (time.perf_counter() - t) * 1000, r.status in expect, str(r.status))
    return r.status, body


def _upload_form(pkg: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("package", pkg, filename="p.zip", content_type="application/zip")
    return form


async def _reader(c: aiohttp.ClientSession, h: dict[str, str], ids: list[str], stop: float,
                  stats: _Stats, i: int) -> None:
    n = i
    while time.perf_counter() < stop:
        n += 1
        pid = ids[n % len(ids)]
        kind, url, head = [
            ("read list", "/api/v1/applications", h), ("read detail", f"/api/v1/applications/{pid}", h),
            ("read events", f"/api/v1/applications/{pid}/events", h),
            ("read notices", "/api/v1/public/notices", {}), ("read filed", "/api/v1/public/filed", {}),
        ][n % 5]
        await _call(stats, kind, c.get(url, headers=head), (200,))


async def _uploader(c: aiohttp.ClientSession, h: dict[str, str], pkg: bytes, stop: float,
                    stats: _Stats) -> None:
    while time.perf_counter() < stop:
        r = await _call(stats, "write upload", c.post(
            "/api/v1/applications", headers=h, data=_upload_form(pkg)), (201,))
        if r is not None and r[0] == 201:
            await _call(stats, "write submit", c.post(
                f"/api/v1/applications/{json.loads(r[1])['id']}/actions/submit", headers=h,
                json={"note": ""}), (200,))


async def _checker(c: aiohttp.ClientSession, h: dict[str, str], items: list[tuple[str, int]],
                   stop: float, stats: _Stats, i: int) -> None:
    n = i
    while time.perf_counter() < stop:
        n += 1
        pid, item = items[n % len(items)]
        await _call(stats, "write checklist", c.put(
            f"/api/v1/applications/{pid}/checklist/{item}", headers=h,
            json={"status": ("ok", "open")[n % 2], "note": f"核对 {n}"}), (204,))


async def _get_json(c: aiohttp.ClientSession, path: str, h: dict[str, str]) -> Any:
    async with c.get(path, headers=h) as r:
        r.raise_for_status()
        return await r.json()


async def _checklist_items(c: aiohttp.ClientSession,
                           rev: dict[str, str]) -> list[tuple[str, int]]:
    """(application, first checklist item) of up to 50 applications under review (asked for
    by state: the list's first page is the newest, which the uploads have made submitted)."""
    apps = await _get_json(c, "/api/v1/applications?state=under_review&limit=50", rev)
    return [(a["id"], (await _get_json(c, f"/api/v1/applications/{a['id']}/checklist",
                                       rev))[0]["id"])
            for a in apps][:50]


async def _phase(url: str, tokens: dict[str, str], pkg: bytes, seconds: float,
                 writers: bool) -> dict[str, object]:
    stats = _Stats()
    rev = {"Authorization": f"Bearer {tokens['rev']}"}
    app = {"Authorization": f"Bearer {tokens['app']}"}
    async with _session(url) as c:
        ids = [a["id"] for a in await _get_json(c, "/api/v1/applications", rev)]
        items = await _checklist_items(c, rev)
        cpu = time.process_time()
        stop = time.perf_counter() + seconds
        jobs = [_reader(c, rev, ids, stop, stats, i) for i in range(24)]
        if writers:
            jobs += [_uploader(c, app, pkg, stop, stats) for _ in range(4)]
            jobs += [_checker(c, rev, items, stop, stats, i) for i in range(4)]
        await asyncio.gather(*jobs)
        cpu = time.process_time() - cpu
    out = stats.summary(seconds)
    done = sum(len(xs) for xs in stats.ms.values())
    # the load generator's own CPU: what it takes from the cores the server runs on
    out["client_cpu_ms_per_request"] = round(cpu * 1000 / max(done, 1), 2)
    return out


def _probes(c: aiohttp.ClientSession, tokens: dict[str, str], login: dict[str, Any],
            items: list[tuple[str, int]], stop: float, stats: _Stats) -> list[Any]:
    """One client each: API logins, checklist writes, web pages (signed-in reviewer)."""
    rev = {"Authorization": f"Bearer {tokens['rev']}"}
    pages = ("/", "/applications", "/notices")

    async def logins() -> None:
        while time.perf_counter() < stop:
            await _call(stats, "login", c.post("/api/v1/auth/login", json=login), (200,))

    async def web() -> None:
        n = 0
        while time.perf_counter() < stop:
            n += 1
            await _call(stats, "web page", c.get(pages[n % len(pages)], headers={
                "Cookie": f"beian_session={tokens['rev']}"}), (200,))

    return [logins(), _checker(c, rev, items, stop, stats, 0), web()]


async def _flood(url: str, tokens: dict[str, str], login: dict[str, Any], pkg: bytes,
                 seconds: float) -> dict[str, object]:
    stats, probes, alone, codes = _Stats(), _Stats(), _Stats(), {}  # type: ignore[var-annotated]
    h = {"Authorization": f"Bearer {tokens['app']}"}
    async with _session(url) as c:
        items = await _checklist_items(c, {"Authorization": f"Bearer {tokens['rev']}"})
        quiet = min(3.0, seconds)
        await asyncio.gather(*_probes(c, tokens, login, items, time.perf_counter() + quiet,
                                      alone))
        stop = time.perf_counter() + seconds

        async def one() -> None:
            while time.perf_counter() < stop:
                r = await _call(stats, "flood upload", c.post(
                    "/api/v1/applications", headers=h, data=_upload_form(pkg)), (201, 503))
                key = str(r[0]) if r is not None else "exception"
                codes[key] = codes.get(key, 0) + 1

        await asyncio.gather(*(one() for _ in range(32)),
                             *_probes(c, tokens, login, items, stop, probes))
    return {**stats.summary(seconds), "statuses": codes,
            "probes_alone": alone.summary(quiet), "probes_during_flood": probes.summary(seconds)}


def _p99(summary: dict[str, Any], kind: str) -> object:
    return summary["by_kind"].get(kind, {}).get("p99_ms")


def _login(url: str, secrets: dict[str, str | None]) -> dict[str, str]:
    """A session per user (a TOTP code is good once: these are the only logins with one)."""
    import pyotp

    out = {}
    for user, secret in secrets.items():
        r = httpx.post(f"{url}/api/v1/auth/login", json={
            "username": user, "password": PASSWORD,
            "totp": pyotp.TOTP(secret).now() if secret else None})
        r.raise_for_status()
        out[user] = r.json()["token"]
    return out


def load(backend: str, postgres: str | None, seconds: float, pkg: bytes, flood_pkg: bytes,
         apps: int = 50, src: str | None = None) -> dict[str, object]:
    """One backend: seed, serve, read-only baseline, readers + writers, upload flood."""
    tmp = Path(tempfile.mkdtemp(prefix=f"beian-load-{backend}-"))
    KeyRing.generate().save(tmp / "keys.json")
    url_db, schema = None, None
    if backend == "postgresql":
        assert postgres
        schema = f"bench_{os.getpid()}"
        import psycopg

        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url_db = f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
    settings = Settings(data_dir=tmp / "data", key_file=tmp / "keys.json", database_url=url_db,
                        policy=Policy(argon2_time_cost=1, argon2_memory_kib=1024))
    secrets = _seed(settings, apps, pkg)
    with _server(tmp, url_db, src) as (url, pid):
        tokens = _login(url, secrets)
        alone = _run(_phase(url, tokens, pkg, min(5.0, seconds), writers=False))
        cpu = _cpu_s(pid)
        mixed = _run(_phase(url, tokens, pkg, seconds, writers=True))
        cpu = _cpu_s(pid) - cpu
        assert secrets["app"] is None  # an applicant: no TOTP, so it can log in repeatedly
        flood_cpu = _cpu_s(pid)
        flood = _run(_flood(url, tokens, {"username": "app", "password": PASSWORD}, flood_pkg,
                            min(10.0, seconds)))
        flood_cpu = _cpu_s(pid) - flood_cpu
    base, under = alone["reads"], mixed["reads"]
    assert isinstance(base, dict) and isinstance(under, dict)
    out: dict[str, object] = {
        "clients": 32, "seconds": seconds, "seed_applications": apps,
        "read_p99_target_ms": 250, "read_p99_met": under["p99_ms"] <= 250,
        "readers_alone": alone, "readers_and_writers": mixed,
        "upload_flood": {"package_bytes": len(flood_pkg), **flood,
                         # the server's CPU over the flood (probes included) per accepted upload
                         "server_cpu_ms_per_upload": round(flood_cpu * 1000 / max(
                             int(flood["statuses"].get("201", 0)), 1), 1)},
        "ratio_read_p99_vs_alone": round(float(under["p99_ms"]) / float(base["p99_ms"]), 2),
        # what the server itself spends: on a dedicated core, capacity ≈ 1000 / this (req/s)
        "server_cpu_ms_per_request": round(cpu * 1000 / (float(str(mixed["rps"])) * seconds), 2),
        # the load generator's, on the same cores (aiohttp + uvloop: a fraction of the server's)
        "client_cpu_ms_per_request": mixed["client_cpu_ms_per_request"],
    }
    print(f"[{backend}{' baseline' if src else ''}] reads p50 {under['p50_ms']} ms p99 {under['p99_ms']} ms "
          f"(alone p99 {base['p99_ms']} ms, ×{out['ratio_read_p99_vs_alone']}); "
          f"{mixed['rps']} req/s, server CPU {out['server_cpu_ms_per_request']} ms/request, "
          f"client {mixed['client_cpu_ms_per_request']} ms/request; "
          f"errors {mixed['errors']}; flood {flood['statuses']}, server CPU "
          f"{out['upload_flood']['server_cpu_ms_per_upload']} ms per accepted upload")
    during, quiet = flood["probes_during_flood"], flood["probes_alone"]
    assert isinstance(during, dict) and isinstance(quiet, dict)
    print("    during the upload flood, p99 ms (alone → during): " + ", ".join(
        f"{k} {_p99(quiet, k)} → {_p99(during, k)}" for k in ("login", "write checklist",
                                                             "web page"))
          + f"; probe errors {during['errors']}")
    if schema and postgres:
        import psycopg

        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return out


def _uptime() -> str:
    """``uptime`` as printed (the machine's load beside the figures)."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--apps", type=int, default=100)
    ap.add_argument("--full", action="store_true", help="1000 applications")
    ap.add_argument("--seconds", type=float, default=20, help="load phase per backend")
    ap.add_argument("--postgres", default=os.environ.get("BEIAN_TEST_POSTGRES_URL"))
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--only", choices=("sqlite", "postgresql"), help="one backend")
    ap.add_argument("--out", type=Path, default=RESULTS, help=f"results file (default {RESULTS})")
    ap.add_argument("--flood-mib", type=float, default=8,
                    help="size of the upload flood's packages (an attachment of this many MiB)")
    ap.add_argument("--baseline-src", help="another checkout's src/ (e.g. main's): its server "
                    "under the same load in the same run, before this one's")
    args = ap.parse_args()
    n = 1000 if args.full else args.apps
    result: dict[str, object] = {"machine": platform.platform(), "python": platform.python_version(),
                                 "cpus": os.cpu_count(),
                                 "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
                                 "uptime_at_start": _uptime(),
                                 "command": " ".join(["benchmarks/registry_bench.py", *sys.argv[1:]])}
    if not args.skip_throughput:
        result["throughput_sqlite"] = throughput(n)
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    if args.only:
        backends = [b for b in backends if b == args.only]
    flood_pkg = _package(args.flood_mib)
    if args.baseline_src:
        result["baseline_src"] = args.baseline_src
        result["load_baseline"] = {b: load(b, args.postgres, args.seconds, _package(), flood_pkg,
                                           src=args.baseline_src) for b in backends}
    result["load"] = {b: load(b, args.postgres, args.seconds, _package(), flood_pkg)
                      for b in backends}
    if not args.postgres:
        print("PostgreSQL skipped: give --postgres URL or BEIAN_TEST_POSTGRES_URL")
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["uptime_at_end"] = _uptime()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
