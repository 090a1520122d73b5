"""Label throughput: add_label / verify_label per format, against decode-or-hash baselines.

The baseline is the unavoidable cost measured in the same run: decoding the pixels once (images,
Pillow) or hashing the file once (audio/video, SHA-256). A label write decodes/hashes the content
about three times (digest before, read-back check after, plus the carrier's own parse), so a ratio
near 3 is the expected floor. Run: ``.venv/bin/python benchmarks/label_bench.py [--full]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from beian.label import LabelPayload, add_label, verify_label

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")
RESULTS = Path(__file__).resolve().parent / "results" / "label.json"


def _timed(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _image(path: Path, side: int, **save: object) -> None:
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(path, **save)


def _wav(path: Path, seconds: int) -> None:
    rng = np.random.default_rng(0)
    data = (rng.standard_normal(44100 * seconds * 2) * 3000).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(data.tobytes())


def _mp4(path: Path, seconds: int) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc=size=1280x720:rate=25:duration={seconds}", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )


def _decode(path: Path) -> None:
    with Image.open(path) as im:
        im.load()


def _hash(path: Path) -> None:
    hashlib.sha256(path.read_bytes()).digest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="larger files (4096² images, 5 min audio)")
    args = ap.parse_args()
    side, secs, vsecs, repeat = (4096, 300, 60, 3) if args.full else (2048, 60, 10, 3)
    cases: list[tuple[str, Callable[[Path], None], Callable[[Path], None]]] = [
        (f"png {side}x{side}", lambda p: _image(p, side), _decode),
        (f"jpeg {side}x{side}", lambda p: _image(p, side, quality=90), _decode),
        (f"wav {secs}s stereo", lambda p: _wav(p, secs), _hash),
        (f"mp4 720p {vsecs}s", lambda p: _mp4(p, vsecs), _hash),
    ]
    suffix = {"png": ".png", "jpeg": ".jpg", "wav": ".wav", "mp4": ".mp4"}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make, baseline in cases:
            src = Path(tmp) / f"src{suffix[name.split()[0]]}"
            make(src)
            work = src.with_name("work" + src.suffix)

            def add_fresh(src: Path = src, work: Path = work) -> None:
                shutil.copyfile(src, work)
                add_label(work, PAYLOAD)

            t_base = _timed(lambda src=src, baseline=baseline: baseline(src), repeat)  # type: ignore[misc]
            t_copy = _timed(lambda src=src, work=work: shutil.copyfile(src, work), repeat)  # type: ignore[misc]
            t_add = _timed(add_fresh, repeat) - t_copy
            t_again = _timed(lambda work=work: add_label(work, PAYLOAD), repeat)  # type: ignore[misc]
            t_verify = _timed(lambda work=work: verify_label(work), repeat)  # type: ignore[misc]
            size = src.stat().st_size
            rows.append({
                "case": name, "bytes": size, "baseline_s": round(t_base, 4),
                "add_s": round(t_add, 4), "add_again_s": round(t_again, 4),
                "verify_s": round(t_verify, 4),
                "add_ratio": round(t_add / t_base, 2), "verify_ratio": round(t_verify / t_base, 2),
                "add_MB_per_s": round(size / t_add / 1e6, 1),
            })
            r = rows[-1]
            print(f"{name:22s} {size / 1e6:7.1f} MB  baseline {t_base:.3f}s  add {t_add:.3f}s "
                  f"(×{r['add_ratio']})  relabel {t_again:.3f}s  verify {t_verify:.3f}s (×{r['verify_ratio']})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"full": args.full, "cases": rows}, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
