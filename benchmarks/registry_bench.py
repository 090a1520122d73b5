"""Registry throughput on SQLite: intake, transitions, number allocation, audit verification.

Each figure is compared with a baseline measured in the same run: a bare SQLAlchemy insert of
one row per operation into the same database (what the operation costs beyond the minimum of
one committed write). Writes ``benchmarks/results/registry.json``.

    .venv/bin/python benchmarks/registry_bench.py [--apps 100] [--full]   # --full: 1000 apps
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import platform
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from beian.crypto import KeyRing
from beian.registry import Registry, Settings
from beian.registry._lifecycle import next_serial
from beian.registry.db import Counter
from beian.registry.domain import OrgKind, Policy, Role

RESULTS = Path(__file__).resolve().parent / "results" / "registry.json"


def _package() -> bytes:
    files, buf = [], io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, kind in (("表.pdf", "filing_form"), ("报告.pdf", "assessment_report")):
            data = f"%PDF-1.4 {name}".encode()
            zf.writestr(name, data)
            files.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(),
                          "size": len(data), "kind": kind})
        zf.writestr("manifest.json", json.dumps({
            "format": "beian-package/1", "tool": "beian bench", "edition": "tc260-003-2024",
            "provider": {"name": "基准公司", "uscc": "91110000000000000X", "province": "北京"},
            "service": {"name": "基准服务", "model_name": "bench-model", "kind": "filing"},
            "files": files}, ensure_ascii=False))
        zf.writestr("findings.json", "[]")
        zf.writestr("assessment.json", '{"results": []}')
    return buf.getvalue()


def _timed(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) / n * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--apps", type=int, default=100)
    ap.add_argument("--full", action="store_true", help="1000 applications")
    args = ap.parse_args()
    n = 1000 if args.full else args.apps
    tmp = Path(tempfile.mkdtemp(prefix="beian-reg-bench-"))
    KeyRing.generate().save(tmp / "keys.json")
    reg = Registry.open(Settings(data_dir=tmp / "data", key_file=tmp / "keys.json",
                                 policy=Policy(argon2_time_cost=1, argon2_memory_kib=1024)))
    org = reg.accounts.create_org("基准公司", OrgKind.PROVIDER, "北京")
    bj = reg.accounts.create_org("北京市网信办", OrgKind.REGISTRAR, "北京")
    reg.accounts.create_user("app", Role.APPLICANT, org, password="benchmark-pw")
    reg.accounts.create_user("rev", Role.REVIEWER, bj, password="benchmark-pw")
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
                with reg.core.tx() as db:
                    next_serial(db, f"filing:Beijing:{dt.date.today():%Y%m%d}")
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
    result = {
        "apps": n, "machine": platform.platform(), "python": platform.python_version(),
        "baseline_insert_ms": round(base_ms, 3),
        "intake_ms_per_app": round(intake_ms, 3),
        "transition_ms": round(trans_ms, 3),
        "serial_ms_4_threads": round(serial_ms, 3),
        "audit_rows": rows, "audit_verify_rows_per_s": round(rows / verify_s),
        "list_ms": round(list_ms, 2),
        "ratios_vs_baseline": {"intake": round(intake_ms / base_ms, 2),
                               "transition": round(trans_ms / base_ms, 2),
                               "serial": round(serial_ms / base_ms, 2)},
    }
    reg.close()
    for k, v in result.items():
        print(f"{k:>26}: {v}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
