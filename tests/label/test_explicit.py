"""Explicit marks: text positions, image overlay size, audio rhythm tone, video overlay."""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from beian.errors import ConfigError, InputError
from beian.label import (
    LabelPayload,
    add_label,
    explicit_audio_mark,
    explicit_image_mark,
    explicit_text_mark,
    read_label,
    verify_label,
)
from beian.label.explicit import rhythm_tone

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")
TEXT = "第一句话。第二句话！第三句话？第四句话。"


@pytest.mark.parametrize(
    ("position", "check"),
    [
        ("prefix", lambda out: out.startswith("【本内容由人工智能生成】\n") and out.endswith(TEXT)),
        ("suffix", lambda out: out.startswith(TEXT) and out.endswith("\n【本内容由人工智能生成】")),
        (
            "inline",
            lambda out: out == "第一句话。第二句话！【本内容由人工智能生成】第三句话？第四句话。",
        ),
    ],
)
def test_text_positions(position: str, check: Callable[[str], bool]) -> None:
    out = explicit_text_mark(TEXT, position)  # type: ignore[arg-type]
    assert check(out), out
    assert explicit_text_mark(out, position) == out  # idempotent  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("notice", "ok"),
    [
        ("本内容由AI生成", True),
        ("人工智能合成内容", True),
        ("由 ai 辅助生成", True),
        ("本内容由人工智能提供", False),  # no generation element
        ("本内容为自动生成", False),  # no AI element
    ],
)
def test_text_notice_elements(notice: str, ok: bool) -> None:
    if ok:
        assert notice in explicit_text_mark("x", "suffix", notice)
    else:
        with pytest.raises(InputError, match="不合规"):
            explicit_text_mark("x", "suffix", notice)


def _changed_bbox(a: Image.Image, b: Image.Image) -> tuple[int, int, int, int]:
    diff = np.any(
        np.asarray(a.convert("RGB"), dtype=int) != np.asarray(b.convert("RGB"), dtype=int), axis=2
    )
    ys, xs = np.nonzero(diff)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def _text_height(marked: Image.Image, x0: int, y0: int, x1: int, y1: int) -> int:
    """Rows of the band that contain bright (text) pixels."""
    band = np.asarray(marked.convert("L"))[y0 : y1 + 1, x0 : x1 + 1]
    rows = np.nonzero((band > 128).any(axis=1))[0]
    return int(rows.max() - rows.min() + 1)


@pytest.mark.parametrize(
    ("size", "position"),
    [
        ((400, 300), "bottom-right"),
        ((300, 500), "top-left"),
        ((1000, 200), "bottom"),
        ((120, 90), "top-right"),
    ],
)
def test_image_mark_size_and_position(size: tuple[int, int], position: str) -> None:
    base = Image.new("RGB", size, (40, 90, 140))
    marked = explicit_image_mark(base, "AI生成", position)  # type: ignore[arg-type]
    assert marked.size == size and marked is not base
    x0, y0, x1, y1 = _changed_bbox(base, marked)
    w, h = size
    assert (y0 == 0) if position.startswith("top") else (y1 == h - 1)
    if position.endswith("left"):
        assert x0 == 0
    elif position.endswith("right"):
        assert x1 == w - 1
    assert _text_height(marked, x0, y0, x1, y1) >= 0.05 * min(size)


def test_image_mark_on_png_path_in_place_then_label(tmp_path: Path) -> None:
    path = tmp_path / "grid.png"
    Image.new("RGB", (256, 128), (200, 200, 200)).save(path)
    assert explicit_image_mark(path) == path
    with Image.open(path) as im:
        assert im.getpixel((255, 127)) != (200, 200, 200)  # corner now marked
    add_label(path, PAYLOAD)
    assert verify_label(path).ok


def test_image_mark_refuses_small_ratio_and_bad_notice() -> None:
    with pytest.raises(InputError, match=r"0\.05"):
        explicit_image_mark(Image.new("RGB", (100, 100)), height_ratio=0.01)
    with pytest.raises(InputError, match="不合规"):
        explicit_image_mark(Image.new("RGB", (100, 100)), "样张")


def test_rhythm_is_short_long_short_short() -> None:
    sr = 8000
    tone = rhythm_tone(sr, unit_s=0.1)
    blocks = np.abs(tone[: len(tone) // 8 * 8]).reshape(-1, 8).max(axis=1)  # 1 ms envelope
    loud = np.repeat(blocks > 0.05, 8)
    # run lengths of sound, in units
    edges = np.diff(np.concatenate([[0], loud.astype(int), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    beeps = (ends - starts) / (0.1 * sr)
    # ramps shave a few samples; classify each beep as short (~1) or long (~3)
    assert [round(b) for b in beeps] == [1, 3, 1, 1]
    # Morse timing: 1-unit gap inside "A" and inside "I", 3 units between them ("A I", not "L")
    gaps = (starts[1:] - ends[:-1]) / (0.1 * sr)
    assert [round(g) for g in gaps] == [1, 3, 1]


@pytest.mark.parametrize(
    ("notice", "ok"),
    [
        ("本内容由人工智能生成", True),
        ("AI生成", True),
        ("由 AI 合成", True),
        ("本回答由ai生成", True),
        ("We maintain this text; 生成于 2025", False),  # "ai" inside an English word
        ("He said it was 生成", False),
        ("Certain 合成 materials", False),
        ("AIGC 生成", False),  # "AI" must stand alone
        ("由ＡＩ生成", True),  # full-width letters, as Chinese text often writes them
        ("ＭＡＩＮ 合成", False),  # ... but not inside a full-width word either
    ],
)
def test_notice_ai_mention_is_a_word(notice: str, ok: bool) -> None:
    from beian.label.explicit.text import check_notice

    if ok:
        check_notice(notice)
    else:
        with pytest.raises(InputError, match="不合规"):
            check_notice(notice)


def test_audio_mark_wav_middle(make_sample: Callable[..., Path]) -> None:
    path = make_sample("sample.wav")
    _, before = _wav_frames(path)
    explicit_audio_mark(path, position="middle")
    _, after = _wav_frames(path)
    half = len(before) // 4 * 2  # 16-bit mono: the cut falls on a whole frame
    assert after.startswith(before[:half]) and after.endswith(before[half:])
    tone = np.frombuffer(after[half : len(after) - (len(before) - half)], dtype="<i2")
    assert len(tone) > 0.8 * 8000 and np.abs(tone).max() > 10000


def test_audio_mark_mp3_middle_with_ffmpeg(make_sample: Callable[..., Path]) -> None:
    import mutagen

    path = make_sample("sample.mp3")
    before = mutagen.File(path).info.length
    explicit_audio_mark(path, position="middle")
    assert mutagen.File(path).info.length > before + 0.8


def _wav_frames(path: Path) -> tuple[int, bytes]:
    with wave.open(str(path), "rb") as r:
        return r.getframerate(), r.readframes(r.getnframes())


def test_audio_mark_wav_prefix_then_label(tmp_path: Path, make_sample: Callable[..., Path]) -> None:
    path = make_sample("sample.wav")
    sr, before = _wav_frames(path)
    add_label(path, PAYLOAD, explicit=True)
    sr2, after = _wav_frames(path)
    assert sr2 == sr and after.endswith(before) and len(after) > len(before)
    head = np.frombuffer(after[: len(after) - len(before)], dtype="<i2")
    assert np.abs(head).max() > 10000  # the tone is audible
    assert verify_label(path).ok
    add_label(path, PAYLOAD, explicit=True)  # already labelled: no second tone
    assert _wav_frames(path)[1] == after


def test_audio_mark_mp3_with_ffmpeg(make_sample: Callable[..., Path]) -> None:
    import mutagen
    from mutagen.easyid3 import EasyID3

    path = make_sample("sample.mp3")
    tags = EasyID3()
    tags["title"] = "样曲"
    tags.save(path)
    before = mutagen.File(path).info.length
    explicit_audio_mark(path, position="suffix")
    after = mutagen.File(path).info.length
    assert after > before + 0.8  # the rhythm lasts about 1.2 s
    assert EasyID3(path)["title"] == ["样曲"]  # the file's own tags are kept


def _frame(path: Path, t: float) -> np.ndarray:
    out = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-ss",
            str(t),
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, dtype=np.uint8).reshape(120, 160).astype(int)


@pytest.mark.slow
def test_video_mark_first_two_seconds(make_sample: Callable[..., Path], tmp_path: Path) -> None:
    path = make_sample("sample.mp4")
    original = tmp_path / "original.mp4"
    original.write_bytes(path.read_bytes())
    add_label(path, PAYLOAD, explicit=True)
    assert verify_label(path).ok and read_label(path) is not None
    from beian.label.explicit import render_mark

    band = np.asarray(render_mark(Image.new("RGBA", (160, 120), (0, 0, 0, 0)), position="top-left"))
    corner = band[:, :, 3] > 0  # where the mark is drawn
    assert corner[0, 0] and not corner[-1, -1]
    diffs = {
        t: np.abs(_frame(path, t) - _frame(original, t))[corner].mean() for t in (0.2, 1.8, 2.6)
    }
    assert diffs[0.2] > 20 and diffs[1.8] > 20 and diffs[2.6] < 5, diffs
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(probe) == ["audio", "video"]


def test_explicit_not_offered_for_documents(make_sample: Callable[..., Path]) -> None:
    path = make_sample("sample.pdf")
    before = path.read_bytes()
    with pytest.raises(InputError, match="不支持自动添加显式标识"):
        add_label(path, PAYLOAD, explicit=True)
    assert path.read_bytes() == before


def test_missing_ffmpeg_is_a_clear_error(
    make_sample: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With PATH emptied, the video mark explains that ffmpeg must be installed."""
    path = make_sample("sample.mp4")
    monkeypatch.setenv("PATH", str(path.parent))
    with pytest.raises(ConfigError, match=r"未安装 (ffprobe|ffmpeg)"):
        add_label(path, PAYLOAD, explicit=True)


@pytest.mark.parametrize("name", ["sample.flac", "sample.ogg"])
def test_audio_mark_then_label_other_codecs(name: str, make_sample: Callable[..., Path]) -> None:
    import mutagen

    path = make_sample(name)
    before = mutagen.File(path).info.length
    result = add_label(path, PAYLOAD, explicit=True)
    assert result.explicit and verify_label(path).ok
    assert mutagen.File(path).info.length > before + 0.8


def test_image_mark_keeps_every_gif_frame(make_sample: Callable[..., Path]) -> None:
    from PIL import ImageSequence

    path = make_sample("sample.gif")
    with Image.open(path) as im:
        originals = [f.convert("RGB") for f in ImageSequence.Iterator(im)]
    add_label(path, PAYLOAD, explicit=True)
    with Image.open(path) as im:
        marked = [f.convert("RGB") for f in ImageSequence.Iterator(im)]
    assert len(marked) == len(originals) == 2
    for before, after in zip(originals, marked, strict=True):
        *_, x1, y1 = _changed_bbox(before, after)
        assert (x1, y1) == (63, 47)  # bottom-right corner marked on every frame
    assert verify_label(path).ok
