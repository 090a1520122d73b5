"""Explicit marks for interactive services: per-turn voice notice, persistent interface notice,
virtual-scene frames. Checked with independent decoders (wave + ffprobe, html.parser, Pillow)."""

from __future__ import annotations

import json
import subprocess
import wave
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from beian.errors import InputError
from beian.label import SceneMarker, VoiceTurnMarker, find_notice, interface_notice
from beian.label.explicit import rhythm_tone

SR = 16000


def _reply(seconds: float, channels: int = 1) -> bytes:
    t = np.arange(int(SR * seconds)) / SR
    mono = (0.2 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
    return np.repeat(mono[:, None], channels, axis=1).tobytes()


def _ffprobe_duration(pcm: bytes, channels: int, tmp: Path) -> float:
    path = tmp / "turn.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm)
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


@pytest.mark.parametrize(
    ("every", "channels", "marked"),
    [
        (1, 1, [True, True, True, True, True]),  # every reply turn starts with the notice
        (2, 1, [True, False, True, False, True]),
        (3, 2, [True, False, False, True, False]),
    ],
)
def test_voice_turns(every: int, channels: int, marked: list[bool], tmp_path: Path) -> None:
    marker = VoiceTurnMarker(sample_rate=SR, channels=channels, every=every)
    tone_s = len(rhythm_tone(SR)) / SR
    for want in marked:
        reply = _reply(0.5, channels)
        out = marker.mark_turn(reply)
        assert out.endswith(reply)
        got = _ffprobe_duration(out, channels, tmp_path)
        assert abs(got - (0.5 + (tone_s if want else 0))) < 0.01, (got, want)
        if want:  # the turn opens with the 短长短短 tone: loud 880 Hz, not the 220 Hz reply
            head = np.frombuffer(out, "<i2")[: SR // 20 * channels : channels].astype(float)
            spectrum = np.abs(np.fft.rfft(head))
            assert abs(np.argmax(spectrum) * SR / len(head) - 880) < 40


def test_voice_spoken_notice_and_refusals() -> None:
    spoken = _reply(0.3)
    marker = VoiceTurnMarker(sample_rate=SR, notice_pcm=spoken)
    assert marker.mark_turn(b"\x01\x00") == spoken + b"\x01\x00"
    with pytest.raises(InputError, match="整帧"):
        VoiceTurnMarker(sample_rate=SR, channels=2).mark_turn(b"\x00\x00")
    with pytest.raises(InputError):
        VoiceTurnMarker(every=0)


class _Notes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div" and dict(attrs).get("role") == "note":
            self._open = dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.found.append((self._open, data))
            self._open = None


@pytest.mark.parametrize(
    ("text", "position", "edge"),
    [
        ("本服务内容由人工智能生成", "top", "top:0"),
        ("以下回答由 AI 生成 <仅供参考>", "bottom", "bottom:0"),
    ],
)
def test_interface_notice(text: str, position: str, edge: str) -> None:
    notice = interface_notice(text, position)  # type: ignore[arg-type]
    page = f"<html><body>{notice.html}<main>对话内容</main></body></html>"
    parser = _Notes()
    parser.feed(page)
    [(attrs, shown)] = parser.found
    style = attrs["style"] or ""
    assert shown == text and "position:sticky" in style and edge in style
    assert find_notice(page) == text
    assert find_notice("<html><body><main>对话内容</main></body></html>") is None


def test_interface_notice_text_rules() -> None:
    with pytest.raises(InputError, match="不合规"):
        interface_notice("欢迎使用")


def _changed(a: Image.Image, b: Image.Image) -> bool:
    return bool(np.any(np.asarray(a) != np.asarray(b)))


@pytest.mark.parametrize(
    ("marker", "intervals"),
    [
        (SceneMarker(fps=10), [(0.0, 2.0)]),  # the opening screen only
        # the opening, then 1 s at the end of every 5 s period: [6, 7) and [11, 12)
        (SceneMarker(fps=10, every_s=5.0, repeat_s=1.0), [(0.0, 2.0), (6.0, 7.0), (11.0, 12.0)]),
    ],
)
def test_scene_opening_and_repeats(
    marker: SceneMarker, intervals: list[tuple[float, float]]
) -> None:
    frame = Image.new("RGB", (320, 180), (30, 120, 60))
    for i in range(130):  # 13 s of frames
        t = i / marker.fps
        want = any(a - 1e-9 <= t < b - 1e-9 for a, b in intervals)
        assert _changed(frame, marker.mark(frame, i)) == want, t
    first = np.asarray(marker.mark(frame, 0))
    rows = np.where(np.any(first != np.asarray(frame), axis=(1, 2)))[0]
    assert rows.min() == 0 and (rows.max() - rows.min() + 1) >= 0.05 * 180  # top-left band


def test_scene_refusals() -> None:
    with pytest.raises(InputError):
        SceneMarker(fps=30, text="虚拟主播")
    with pytest.raises(InputError):
        SceneMarker(fps=30, every_s=1.0, repeat_s=2.0)
