"""The upload path alone: server CPU per accepted upload of a large package.

``beian serve`` in its own process (SQLite), ``--clients`` clients (default 4: the upload
slots) posting the same package with an ``--mib`` MiB incompressible attachment (default 8)
for ``--seconds``; the server's CPU over that time divided by the uploads answered 201.
``--baseline-src ../main/src`` measures that tree's server first, alternating with this one's
for ``--rounds`` rounds (the machine's load changes: compare within a round).

    .venv/bin/python benchmarks/registry_upload_bench.py --baseline-src /work/main/src \\
        --out benchmarks/results/registry-upload.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import registry_bench as rb

from beian.crypto import KeyRing
from beian.registry import Settings
from beian.registry.domain import Policy


async def _uploads(url: str, token: str, pkg: bytes, clients: int,
                   seconds: float) -> tuple[rb._Stats, dict[str, int]]:
    stats, codes = rb._Stats(), {}  # type: ignore[var-annotated]
    h = {"Authorization": f"Bearer {token}"}
    async with rb._session(url) as c:
        stop = time.perf_counter() + seconds

        async def one() -> None:
            while time.perf_counter() < stop:
                r = await rb._call(stats, "upload", c.post(
                    "/api/v1/applications", headers=h, data=rb._upload_form(pkg)), (201, 503))
                key = str(r[0]) if r is not None else "exception"
                codes[key] = codes.get(key, 0) + 1

        await asyncio.gather(*(one() for _ in range(clients)))
    return stats, codes


def measure(src: str | None, pkg: bytes, clients: int, seconds: float) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="beian-upload-bench-"))
    KeyRing.generate().save(tmp / "keys.json")
    settings = Settings(data_dir=tmp / "data", key_file=tmp / "keys.json",
                        policy=Policy(argon2_time_cost=1, argon2_memory_kib=1024))
    secrets = rb._seed(settings, 2, rb._package())
    with rb._server(tmp, None, src) as (url, pid):
        token = rb._login(url, secrets)["app"]
        cpu = rb._cpu_s(pid)
        stats, codes = rb._run(_uploads(url, token, pkg, clients, seconds))
        cpu = rb._cpu_s(pid) - cpu
    done = codes.get("201", 0)
    summary = stats.summary(seconds)
    out = {"src": src or "this tree", "statuses": codes,
           "uploads_per_s": round(done / seconds, 1), "upload": summary["by_kind"].get("upload"),
           "server_cpu_ms_per_upload": round(cpu * 1000 / max(done, 1), 1),
           "errors": summary["errors"], "load_average": [round(x, 2) for x in os.getloadavg()]}
    print(json.dumps(out, ensure_ascii=False))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=float, default=8, help="attachment size (MiB)")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--baseline-src", help="another checkout's src/, measured first each round")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    pkg = rb._package(args.mib)
    rounds = []
    for _ in range(args.rounds):
        runs = [measure(args.baseline_src, pkg, args.clients, args.seconds)] \
            if args.baseline_src else []
        rounds.append([*runs, measure(None, pkg, args.clients, args.seconds)])
    result = {"command": " ".join(["benchmarks/registry_upload_bench.py", *sys.argv[1:]]),
              "package_bytes": len(pkg), "clients": args.clients, "seconds": args.seconds,
              "cpus": os.cpu_count(), "uptime_at_end": rb._uptime(), "rounds": rounds}
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
