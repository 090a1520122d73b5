"""NAME with ``pii.context_names: true``: the default readings of :mod:`.name` plus any
characters after role words, a person's particulars, parcels, a name before a mobile number and
chat speakers."""

from __future__ import annotations

from collections.abc import Iterator

from beian.pii._names import is_han
from beian.pii._registry import register
from beian.pii._scan import Scan
from beian.pii._types import Entity
from beian.pii.recognizers.name import (
    _CUE,
    _CUE_ONE,
    _MASKED,
    _MOBILE_AFTER,
    _NICK,
    _PARCEL,
    _PARTICULARS,
    _PERSON_LABEL,
    _SPEAKER,
    _TITLES,
    NameRecognizer,
)


@register
class ContextNameRecognizer(NameRecognizer):
    """``pii.context_names: true``: role words (原告, 父亲, 我叫…), particulars
    (``（男，32岁）``) and chat speakers as well; three times slower than the default engine."""

    name = "name_context"
    context_names = True
    full = True
    cues = (*_CUE, _CUE_ONE)
    anchors = (
        *_CUE,
        _CUE_ONE,
        *_TITLES,
        _PERSON_LABEL,
        _MASKED,
        _NICK,
        _PARTICULARS,
        _SPEAKER,
        _PARCEL,
        _MOBILE_AFTER,
    )

    def _more(self, text: str, scan: Scan) -> Iterator[Entity]:
        for m in scan.anchored(_PARTICULARS):
            yield from self._before(text, m.start(), 0.8)
        for m in scan.anchored(_PARCEL):
            if (found := self._after_cue(text, m.end(), True)) is not None:
                yield found
        for m in scan.anchored(_MOBILE_AFTER):
            end = m.start() - (text[m.start() - 1 : m.start()] == " ")
            end -= text[end - 1 : end] in ("收", "寄")  # "张宇收 152…"
            if end > 0 and is_han(text[end - 1]):
                yield from self._before(text, end, 0.7)
        if (head := _SPEAKER.pattern.match("\n" + text[:12])) is not None:
            yield from self._speaker(text, 0, head.end() - 1)
        for m in scan.anchored(_SPEAKER):
            yield from self._speaker(text, m.start() + 1, m.end())
