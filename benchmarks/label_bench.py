"""Label throughput per format: ``add_label`` / ``verify_label`` against exiftool in the same run.

Files of the issue's typical sizes are generated first (1 MP PNG/JPEG/WebP/GIF/TIFF, 3 min
MP3/WAV/FLAC/Ogg/M4A, 1 min 720p MP4 and AVI made with ffmpeg, a 20-page PDF). The baseline is
exiftool in ``-stay_open`` batch mode (one Perl process for the whole run, so its start-up is not
counted: the fairest exiftool baseline), writing the same ``XMP-TC260:AIGC`` property with a
config that declares the TC260 namespace. exiftool cannot write MP3, WAV, FLAC, Ogg or AVI; for
those the baseline is exiftool *reading* the same file in the same batch process (any write
would cost at least that), and the table says so. ``verify`` is compared with exiftool reading
the labelled file. Each timed call gets a fresh copy of the source (the copy is not timed); our
call and exiftool's alternate, so both see the same machine load; medians are reported.

The last columns are the floors every atomic label write pays: SHA-256 over the whole file (the
integrity code in ReservedCode1 must hash the content) and an atomic replace (copy the file to a
temporary file beside it and rename it over the original, as exiftool's ``-overwrite_original``
does too). Run:
``.venv/bin/python benchmarks/label_bench.py [--repeat N] [--only png,jpeg]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from beian.label import LabelPayload, add_label, verify_label

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")
RESULTS = Path(__file__).resolve().parent / "results" / "label.json"
_EXIFTOOL_CONFIG = """\
%Image::ExifTool::UserDefined = (
    'Image::ExifTool::XMP::Main' => {
        TC260 => { SubDirectory => { TagTable => 'Image::ExifTool::UserDefined::TC260' } },
    },
);
%Image::ExifTool::UserDefined::TC260 = (
    GROUPS => { 0 => 'XMP', 1 => 'XMP-TC260', 2 => 'Image' },
    NAMESPACE => { 'TC260' => 'http://www.tc260.org.cn/ns/AIGC/1.0/' },
    WRITABLE => 'string',
    AIGC => { },
);
1;
"""


class ExifTool:
    """One ``exiftool -stay_open True -@ -`` process; each call is one ``-execute``."""

    def __init__(self, config: Path) -> None:
        self.proc = subprocess.Popen(
            ["exiftool", "-config", str(config), "-stay_open", "True", "-@", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.writable = set(
            subprocess.run(["exiftool", "-listwf"], capture_output=True, text=True, check=True)
            .stdout.split(":", 1)[1]
            .lower()
            .split()
        )

    def run(self, *args: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(("\n".join(args) + "\n-execute\n").encode())
        self.proc.stdin.flush()
        out = b""
        while not out.endswith(b"{ready}\n"):
            chunk = self.proc.stdout.read1(1 << 16)
            if not chunk:
                raise RuntimeError("exiftool exited")
            out += chunk
        return out.decode("utf-8", "replace")

    def write(self, path: Path, label_json: str) -> None:
        out = self.run("-overwrite_original", f"-XMP-TC260:AIGC={label_json}", str(path))
        if "1 image files updated" not in out:
            raise RuntimeError(f"exiftool did not write {path}: {out}")

    def read(self, path: Path) -> None:
        self.run("-j", "-G1", "-a", str(path))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"-stay_open\nFalse\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _ff(out: Path, *args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args, str(out)],
        check=True,
        timeout=600,
    )


def _photo(side: int = 1024) -> Image.Image:
    """A 1 MP photo-like image (smooth gradients plus sensor-like noise)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:side, 0:side]
    base = np.stack([(x / 4) % 256, (y / 4) % 256, ((x + y) / 8) % 256], -1)
    return Image.fromarray((base + rng.normal(0, 12, base.shape)).clip(0, 255).astype(np.uint8))


_AUDIO = (
    "-f",
    "lavfi",
    "-i",
    "anoisesrc=color=pink:amplitude=0.2:duration=180:sample_rate=44100",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:duration=180:sample_rate=44100",
    "-filter_complex",
    "amix=inputs=2",
    "-ac",
    "2",
)
_VIDEO = (
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=1280x720:rate=25:duration=60",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:duration=60",
)


def _pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for page in range(20):
        pdf.add_page()
        for line in range(45):
            pdf.cell(text=f"Page {page + 1}, line {line + 1}: generated sample text for labelling.")
            pdf.ln(5)
    pdf.output(str(path))


MAKERS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "png": ("1 MP", lambda p: _photo().save(p)),
    "jpeg": ("1 MP q90", lambda p: _photo().save(p, quality=90)),
    "webp": ("1 MP q90", lambda p: _photo().save(p, quality=90)),
    "gif": ("1 MP 256 colours", lambda p: _photo().quantize(256).save(p)),
    "tiff": ("1 MP LZW", lambda p: _photo().save(p, compression="tiff_lzw")),
    "mp3": ("3 min 128 kbit/s", lambda p: _ff(p, *_AUDIO, "-c:a", "libmp3lame", "-b:a", "128k")),
    "wav": ("3 min 44.1 kHz stereo", lambda p: _ff(p, *_AUDIO, "-c:a", "pcm_s16le")),
    "flac": ("3 min 44.1 kHz stereo", lambda p: _ff(p, *_AUDIO, "-c:a", "flac")),
    "ogg": ("3 min Vorbis q4", lambda p: _ff(p, *_AUDIO, "-c:a", "libvorbis", "-q:a", "4")),
    "m4a": ("3 min AAC 128 kbit/s", lambda p: _ff(p, *_AUDIO, "-c:a", "aac", "-b:a", "128k")),
    "mp4": (
        "1 min 720p H.264",
        lambda p: _ff(
            p,
            *_VIDEO,
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
        ),
    ),
    "avi": (
        "1 min 720p MPEG-4",
        lambda p: _ff(p, *_VIDEO, "-c:v", "mpeg4", "-q:v", "5", "-c:a", "libmp3lame", "-shortest"),
    ),
    "pdf": ("20 pages", _pdf),
}
SUFFIX = {"jpeg": ".jpg", "tiff": ".tif"}


@dataclass
class Row:
    fmt: str
    size: str
    bytes: int
    baseline: str  # "write" or "read (exiftool cannot write)"
    add_ms: float
    exif_ms: float
    verify_ms: float
    exif_read_ms: float
    floor_ms: float
    replace_ms: float

    def as_dict(self) -> dict[str, object]:
        return {
            "format": self.fmt,
            "size": self.size,
            "bytes": self.bytes,
            "exiftool_baseline": self.baseline,
            "add_ms": round(self.add_ms, 3),
            "add_per_s": round(1000 / self.add_ms, 1),
            "exiftool_ms": round(self.exif_ms, 3),
            "add_ratio": round(self.exif_ms / self.add_ms, 2),
            "verify_ms": round(self.verify_ms, 3),
            "verify_per_s": round(1000 / self.verify_ms, 1),
            "exiftool_read_ms": round(self.exif_read_ms, 3),
            "verify_ratio": round(self.exif_read_ms / self.verify_ms, 2),
            "sha256_floor_ms": round(self.floor_ms, 3),
            "atomic_replace_floor_ms": round(self.replace_ms, 3),
        }


def _ms(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _floor(path: Path) -> None:
    hashlib.sha256(path.read_bytes()).digest()


def _replace(src: Path, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=target.suffix)
    os.close(fd)
    shutil.copyfile(src, tmp)
    os.replace(tmp, target)


def measure(fmt: str, src: Path, exif: ExifTool, repeat: int) -> Row:
    ours, theirs = src.with_name("ours" + src.suffix), src.with_name("theirs" + src.suffix)
    writable = src.suffix.lstrip(".").lower() in exif.writable
    label_json = ""
    adds, exifs, verifies, reads, floors, replaces = [], [], [], [], [], []
    for i in range(repeat + 1):  # the first round warms caches and imports; not counted
        shutil.copyfile(src, ours)
        shutil.copyfile(src, theirs)
        t_add = _ms(lambda: add_label(ours, PAYLOAD))
        if not label_json:
            got = verify_label(ours)
            assert got.ok and got.payload is not None, got.reasons
            label_json = got.payload.to_json()
        t_exif = _ms(lambda j=label_json: exif.write(theirs, j) if writable else exif.read(theirs))
        t_verify = _ms(lambda: verify_label(ours))
        t_read = _ms(lambda: exif.read(ours))
        t_floor = _ms(lambda: _floor(src))
        shutil.copyfile(src, theirs)
        t_replace = _ms(lambda: _replace(src, theirs))
        if i:
            replaces.append(t_replace)
            adds.append(t_add)
            exifs.append(t_exif)
            verifies.append(t_verify)
            reads.append(t_read)
            floors.append(t_floor)
    med = statistics.median
    return Row(
        fmt,
        MAKERS[fmt][0],
        src.stat().st_size,
        "write" if writable else "read (exiftool cannot write this format)",
        med(adds),
        med(exifs),
        med(verifies),
        med(reads),
        med(floors),
        med(replaces),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--only", default="", help="comma-separated formats")
    args = ap.parse_args()
    formats = [f for f in MAKERS if not args.only or f in args.only.split(",")]
    load_before = os.getloadavg()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "tc260.config"
        config.write_text(_EXIFTOOL_CONFIG, encoding="utf-8")
        exif = ExifTool(config)
        try:
            for fmt in formats:
                src = Path(tmp) / f"{fmt}{SUFFIX.get(fmt, '.' + fmt)}"
                MAKERS[fmt][1](src)
                row = measure(fmt, src, exif, args.repeat)
                rows.append(row)
                d = row.as_dict()
                print(
                    f"{fmt:5s} {row.bytes / 1e6:6.2f} MB  add {row.add_ms:7.2f} ms "
                    f"({d['add_per_s']}/s)  exiftool {row.baseline.split()[0]} {row.exif_ms:6.2f} ms"
                    f"  ×{d['add_ratio']}  | verify {row.verify_ms:6.2f} ms  exiftool read "
                    f"{row.exif_read_ms:6.2f} ms  ×{d['verify_ratio']}  | sha256 {row.floor_ms:.2f} ms"
                    f"  replace {row.replace_ms:.2f} ms",
                    flush=True,
                )
        finally:
            exif.close()
    version = subprocess.run(["exiftool", "-ver"], capture_output=True, text=True).stdout.strip()
    result = {
        "baseline": "exiftool -stay_open batch process (start-up not counted)",
        "exiftool": version,
        "python": sys.version.split()[0],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared)",
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "repeat": args.repeat,
        "rows": [r.as_dict() for r in rows],
    }
    if not args.only:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
        print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
