"""Explicit audio label: a spoken notice or the 短长短短 rhythm (Morse "A I") at start, middle or end.

The rhythm keeps Morse timing: a 1-unit gap inside a letter and a 3-unit gap between letters, so
it reads as "A" (·−) then "I" (··), not as the single letter "L" (·−··).
"""

from __future__ import annotations

import os
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from beian.errors import InputError
from beian.io import atomic_path
from beian.label.explicit._ffmpeg import ffmpeg, ffprobe

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "GAPS",
    "RHYTHM",
    "AudioPosition",
    "explicit_audio_mark",
    "rhythm_tone",
    "write_rhythm_wav",
]

AudioPosition = Literal["prefix", "middle", "suffix"]
#: Morse "A I" = · −   · · : short long short short (units of ``unit_s``).
RHYTHM = (1, 3, 1, 1)
#: Silence after each element: 1 unit inside a letter, 3 units between "A" and "I".
GAPS = (1, 3, 1, 1)
_CODECS = {
    ".mp3": ["-c:a", "libmp3lame", "-q:a", "2"],
    ".flac": ["-c:a", "flac"],
    ".ogg": ["-c:a", "libvorbis", "-q:a", "5"],
    ".oga": ["-c:a", "libvorbis"],
    ".opus": ["-c:a", "libopus"],
    ".m4a": ["-c:a", "aac", "-b:a", "192k"],
    ".wav": ["-c:a", "pcm_s16le"],
}


def rhythm_tone(
    sample_rate: int = 44100, *, unit_s: float = 0.12, freq: float = 880.0, pad_s: float = 0.3
) -> np.ndarray:
    """Mono float samples of the 短长短短 tone, with silence after it."""
    import numpy as np  # lazy: labelling images and text must not pay for numpy

    t_unit = int(sample_rate * unit_s)
    parts = []
    for n, gap in zip(RHYTHM, GAPS, strict=True):
        t = np.arange(n * t_unit) / sample_rate
        beep = 0.5 * np.sin(2 * np.pi * freq * t)
        ramp = min(len(beep) // 10, int(sample_rate * 0.005))
        if ramp:
            env = np.ones(len(beep))
            env[:ramp] = np.linspace(0, 1, ramp)
            env[-ramp:] = np.linspace(1, 0, ramp)
            beep *= env
        parts += [beep, np.zeros(gap * t_unit)]
    parts.append(np.zeros(int(sample_rate * pad_s)))
    return np.concatenate(parts)


def _pcm(samples: np.ndarray, channels: int, width: int) -> bytes:
    import numpy as np

    if width == 1:
        data = ((samples * 127) + 128).astype(np.uint8)
    elif width == 2:
        data = (samples * 32767).astype("<i2")
    elif width == 4:
        data = (samples * 2147483647).astype("<i4")
    else:
        raise InputError(f"不支持 {width * 8} 位 WAV", fix="请转为 16 位 PCM WAV")
    return np.repeat(data[:, None], channels, axis=1).tobytes()


def write_rhythm_wav(path: str | os.PathLike[str], sample_rate: int = 44100) -> Path:
    """Write the rhythm tone as a 16-bit mono WAV file."""
    p = Path(path)
    with atomic_path(p, suffix=".wav") as tmp, wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(_pcm(rhythm_tone(sample_rate), 1, 2))
    return p


def _wav_in_place(path: Path, position: AudioPosition) -> None:
    try:
        with wave.open(str(path), "rb") as r:
            params = r.getparams()
            frames = r.readframes(params.nframes)
    except (wave.Error, EOFError) as exc:
        raise InputError(f"WAV 无法解码：{exc}", where=str(path), fix="请转为 PCM WAV") from None
    tone = _pcm(rhythm_tone(params.framerate), params.nchannels, params.sampwidth)
    frame = params.nchannels * params.sampwidth
    cut = {"prefix": 0, "middle": len(frames) // frame // 2 * frame, "suffix": len(frames)}
    at = cut[position]
    with atomic_path(path, suffix=".wav") as tmp, wave.open(str(tmp), "wb") as w:
        w.setparams(params)
        w.writeframes(frames[:at] + tone + frames[at:])


_NORM = "aresample=44100,aformat=channel_layouts=stereo"


def _concat_graph(path: Path, position: AudioPosition) -> str:
    """Filter graph: input 0 (the audio) with input 1 (the notice) at ``position``."""
    notice = f"[1:a]{_NORM}[n];"
    if position == "prefix":
        return notice + f"[0:a]{_NORM}[a];[n][a]concat=n=2:v=0:a=1[out]"
    if position == "suffix":
        return notice + f"[0:a]{_NORM}[a];[a][n]concat=n=2:v=0:a=1[out]"
    half = float(ffprobe(path)["format"].get("duration", 0)) / 2
    return notice + (
        f"[0:a]{_NORM},asplit[x][y];[x]atrim=end={half:.6f}[a];"
        f"[y]atrim=start={half:.6f},asetpts=PTS-STARTPTS[b];[a][n][b]concat=n=3:v=0:a=1[out]"
    )


def explicit_audio_mark(
    path: str | os.PathLike[str],
    *,
    position: AudioPosition = "prefix",
    notice_file: str | os.PathLike[str] | None = None,
) -> Path:
    """Put a spoken notice file, or the generated rhythm tone, at the start, middle or end.

    PCM WAV with the tone is done in Python; every other case uses ffmpeg (a clear error
    when it is missing) and re-encodes with the file's own codec family.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if notice_file is None and suffix in (".wav", ".wave"):
        _wav_in_place(p, position)
        return p
    if suffix not in _CODECS:
        raise InputError(
            f"不支持为 {suffix} 添加音频显式标识",
            where=str(p),
            fix=f"支持：{' '.join(sorted(_CODECS))}",
        )
    import tempfile

    with tempfile.TemporaryDirectory(dir=p.parent, prefix=".beian-audio-") as work:
        notice = Path(notice_file) if notice_file else write_rhythm_wav(Path(work) / "tone.wav")
        with atomic_path(p, suffix=suffix) as tmp:
            ffmpeg(
                "-i",
                str(p),
                "-i",
                str(notice),
                "-filter_complex",
                _concat_graph(p, position),
                "-map",
                "[out]",
                "-map_metadata",
                "0",
                *_CODECS[suffix],
                str(tmp),
                where=p,
            )
    return p
