"""Explicit marks for interactive voice: the notice on each reply turn of a voice conversation.

The Labelling Measures (Art. 4 (2)) ask for a spoken notice or the 短长短短 rhythm at the start,
end or middle of generated audio. In a voice conversation every reply is a new piece of
generated audio, so :class:`VoiceTurnMarker` puts the notice at the start of each reply turn
(``every=1``, the default). ``every=N`` marks the first turn and every N-th after it, for an
interface that also shows a persistent notice (:mod:`.interface`) [U]: the Measures allow the
interface notice instead of the audio one for interactive scenes, but give no turn interval.
Replies are 16-bit PCM (what real-time speech APIs stream); a spoken notice can replace the tone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from beian.errors import InputError
from beian.label.explicit.audio import rhythm_tone

__all__ = ["VoiceTurnMarker"]


@dataclass
class VoiceTurnMarker:
    """Marks the reply audio of a voice session, turn by turn (one instance per session).

    ``notice_pcm``: a spoken notice (16-bit PCM at ``sample_rate`` with ``channels``) to use
    instead of the rhythm tone.
    """

    sample_rate: int = 24000
    channels: int = 1
    every: int = 1
    notice_pcm: bytes | None = None
    turns: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.every < 1:
            raise InputError(
                f"every={self.every} 无效", where="every", fix="每 N 轮标识一次，N 为正整数"
            )
        if self.sample_rate < 8000 or self.channels not in (1, 2):
            raise InputError(
                "采样率或声道数不受支持",
                where=f"{self.sample_rate} Hz, {self.channels} 声道",
                fix="采样率不低于 8000 Hz，单声道或立体声",
            )

    def notice(self) -> bytes:
        """The notice audio as 16-bit PCM in the session's format."""
        if self.notice_pcm is not None:
            return self.notice_pcm
        import numpy as np  # lazy: only the tone needs numpy

        tone = (rhythm_tone(self.sample_rate) * 32767).astype("<i2")
        return np.repeat(tone[:, None], self.channels, axis=1).tobytes()

    def due(self) -> bool:
        """Whether the next turn gets the notice."""
        return self.turns % self.every == 0

    def mark_turn(self, reply_pcm: bytes) -> bytes:
        """The reply with the notice in front when this turn is due; counts the turn."""
        frame = 2 * self.channels
        if len(reply_pcm) % frame:
            raise InputError(
                f"回复音频长度 {len(reply_pcm)} 字节不是整帧",
                where="reply_pcm",
                fix=f"应为 16 位 PCM、{self.channels} 声道（每帧 {frame} 字节）",
            )
        due = self.due()
        self.turns += 1
        return self.notice() + reply_pcm if due else reply_pcm
