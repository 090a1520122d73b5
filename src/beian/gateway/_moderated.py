"""The moderation policy in one exchange: input rulings (with the upstream asked meanwhile)
and the model stages on a whole (non-streamed) answer."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import aiohttp

from beian.gateway._gate import conversation, last_question, record_ruling
from beian.gateway._moderation import Ruling
from beian.gateway._request import Checked
from beian.gateway._screening import Decision
from beian.gateway._stage_classifier import Finding

if TYPE_CHECKING:
    from beian.gateway._answer import Rebuilt
    from beian.gateway._gateway import Gateway
    from beian.gateway._store import Exchange

__all__ = [
    "answer_keywords",
    "beian_note",
    "keyword_rulings",
    "moderate_answer",
    "moderate_input",
    "stop_text",
]

LEXICON = "关键词库"


_SEVERITY = {"block": 0, "substitute": 1, "flag": 2, "allow": 3}


def keyword_rulings(gw: Gateway, risks: tuple[str, ...], stage: str, question: str) -> list[Ruling]:
    """The policy's rulings on keyword hits (the keyword library is the first stage), one per
    action: each risk code is ruled on by itself (a rule that lets one code through must not
    let another one found with it through), the codes with the same action together, their
    ruling made from the codes' own (never ruled on again as a group: a code whose rule found
    no approved answer must not pick up another code's); the one that stops the exchange first
    (block before substitute)."""
    m = gw.moderation

    def rule(codes: tuple[str, ...]) -> Ruling:
        return m.rule(Finding(stage, "keyword", codes, "unsafe", None, LEXICON), question)

    if len(risks) == 1:
        return [rule(risks)]
    by_action: dict[str, list[tuple[str, Ruling]]] = {}
    for r in risks:
        one = rule((r,))
        by_action.setdefault(one.action, []).append((r, one))
    rulings = []
    for group in by_action.values():
        best = max((one for _, one in group), key=lambda x: x.similarity or 0.0)
        codes = tuple(code for code, _ in group)
        rulings.append(replace(best, finding=replace(best.finding, risks=codes)))
    return sorted(rulings, key=lambda x: (not x.stops, _SEVERITY[x.action]))


def answer_keywords(
    gw: Gateway, ex: Exchange, risks: tuple[str, ...], *, streamed: bool = False
) -> Ruling:
    """The policy's rulings on keyword hits in the answer (streamed or whole), every one
    recorded with the lexicon as the model; the strongest (block, substitute, flag or allow;
    not enforced in a dry run). In a stream a substitute is a block (:meth:`Ruling.in_stream`)."""
    rulings = keyword_rulings(gw, risks, "output", last_question(ex.request))
    if streamed:
        rulings = [r.in_stream() for r in rulings]
    for r in rulings:
        record_ruling(ex, r, gw.metrics)
    return rulings[0]


def stop_text(gw: Gateway, ruling: Ruling, stage: str) -> str:
    """What the user gets instead: the approved answer, or the configured refusal."""
    if ruling.action == "substitute" and ruling.substitute is not None:
        return ruling.substitute.answer
    cfg = gw.screening.config
    return cfg.input_refusal if stage == "input" else cfg.output_block_message


def _drop(task: asyncio.Task[aiohttp.ClientResponse]) -> None:
    """The input was stopped: the upstream's answer is discarded (asked meanwhile)."""

    def close(t: asyncio.Task[aiohttp.ClientResponse]) -> None:
        if not t.cancelled() and t.exception() is None:
            t.result().close()

    if task.done():
        close(task)
    else:
        task.cancel()
        task.add_done_callback(close)


async def moderate_input(
    gw: Gateway,
    ex: Exchange,
    checked: Checked,
    post: Coroutine[Any, Any, aiohttp.ClientResponse],
) -> tuple[Ruling | None, asyncio.Task[aiohttp.ClientResponse] | None]:
    """The model stages on the request: the classifier (a fraction of a millisecond) before
    the upstream is asked, then the guard, with the upstream asked meanwhile when the policy
    allows (``parallel_input``). Returns the ruling that stops the exchange (the upstream's
    answer dropped), or None and the upstream's pending answer."""
    m = gw.moderation
    budget = m.guard.cfg.context_chars if m.guard is not None else 0
    question, context = conversation(checked.body, budget)
    texts = [s.text for s in checked.slots if s.free]
    task: asyncio.Task[aiohttp.ClientResponse] | None = None
    try:
        ruling = await m.classify_input(question, texts, gw.offload)
        if ruling is not None:
            record_ruling(ex, ruling, gw.metrics)
        if ruling is None or not ruling.stops:
            if m.config.parallel_input:
                task = asyncio.create_task(post)
            if m.guard is not None and m.guard.cfg.input and not question.strip():
                _record_skipped(ex, m.guard.name)
            ruling = await m.guard_input(question, context)
            if ruling is not None:
                record_ruling(ex, ruling, gw.metrics)
    except BaseException:
        _discard(task, post)
        raise
    if ruling is not None and ruling.stops:
        _discard(task, post)
        return ruling, None
    return None, task if task is not None else asyncio.create_task(post)


def _record_skipped(ex: Exchange, model: str) -> None:
    """No user message has text (only images, or empty): the guard was not asked; recorded."""
    note = "请求中没有可审核的文字（用户消息为空或只有图片等），未调用护栏模型"
    d = Decision("input", "allow", check="guard", model=model, note=note)
    ex.decisions.append(d.to_json())


def _discard(
    task: asyncio.Task[aiohttp.ClientResponse] | None,
    post: Coroutine[Any, Any, aiohttp.ClientResponse],
) -> None:
    """The upstream call is not wanted: dropped if under way, else never started."""
    if task is not None:
        _drop(task)
    else:
        post.close()


async def moderate_answer(gw: Gateway, ex: Exchange, answer: Rebuilt) -> None:
    """The model stages on a whole answer that passed the keywords; a stopping ruling replaces
    every choice with the refusal (``content_filter``) or the approved answer."""
    m = gw.moderation
    if not m.output_models or not gw.screening.config.screen_output:
        return
    # the choices the keywords let through (with n > 1 a stopped choice leaves the others)
    passed = "\n".join(answer.passed)
    if not passed.strip():
        return
    question = last_question(ex.request)
    rulings = await m.check_answer(question, passed, gw.offload)
    for r in rulings:
        record_ruling(ex, r, gw.metrics)
    stop = next((r for r in rulings if r.stops), None)
    if stop is None:
        return
    text = stop_text(gw, stop, "output")
    finish = "stop" if stop.action == "substitute" else "content_filter"
    answer.data["choices"] = [
        {"index": c.get("index", i), "logprobs": None, "finish_reason": finish,
         "message": {"role": "assistant", "content": text}}
        for i, c in enumerate(answer.data.get("choices") or [{}])
    ]  # fmt: skip
    answer.data["beian"] = beian_note(stop, "output")
    answer.sent, answer.blocked = text, True
    answer.substitute = stop.substitute.id if stop.substitute is not None else None


def beian_note(ruling: Ruling, stage: str) -> dict[str, Any]:
    """The ``beian`` member of an answer a ruling replaced."""
    note: dict[str, Any] = {"blocked": stage, "risks": list(ruling.finding.risks)}
    if ruling.substitute is not None:
        note["substitute"] = ruling.substitute.id
    return note
