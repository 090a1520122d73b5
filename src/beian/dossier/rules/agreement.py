"""The service agreement has the sections reviewers look for (7 b, Measures Art. 9–15), and its
intellectual-property clause (5.2 b))."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from beian.dossier._context import DossierContext
from beian.dossier._schema import Dossier
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Location, Severity, define_code

MISSING_SECTION = define_code(
    "BA-DOS-025", "模型服务协议缺少必备章节", clause="7 b)", severity=Severity.BLOCKING
)
NO_IP_CLAUSE = define_code(
    "BA-DOS-036", "模型服务协议缺少知识产权条款", clause="5.2 b)", severity=Severity.BLOCKING
)
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$", re.MULTILINE)


def _always(_: Dossier) -> bool:
    return True


# (section, words any of which a heading must contain, when the section is required)
SECTIONS: tuple[tuple[str, tuple[str, ...], Callable[[Dossier], bool]], ...] = (
    ("服务适用人群、场合与用途", ("适用", "服务范围"), _always),
    ("个人信息保护", ("个人信息",), _always),
    ("使用者权利（查阅、复制、更正、删除）", ("权利",), _always),
    ("生成内容标识", ("标识",), _always),
    ("投诉举报", ("投诉", "举报"), _always),
    ("违法内容处置", ("处置", "违法"), _always),
    ("输入信息用于训练", ("训练",), lambda d: d.safety.training_opt_out.trains_on_inputs),
    ("未成年人保护", ("未成年人",), lambda d: d.service.scope.minors),
    ("第三方基础模型", ("基础模型",), lambda d: not d.model.base_model.self_developed),
)


@rule("agreement", title="服务协议必备章节", aspect="完整性", codes=[MISSING_SECTION, NO_IP_CLAUSE])
def check(ctx: DossierContext) -> Iterator[Finding]:
    text = ctx.attachment_text("service_agreement")
    if text is None:
        return  # reported by completeness / attachments
    headings = HEADING.findall(text)
    loc = Location(file=str(ctx.attachment("service_agreement")))
    for name, words, needed in SECTIONS:
        if needed(ctx.dossier) and not any(w in h for h in headings for w in words):
            yield Finding.of(
                MISSING_SECTION,
                f"模型服务协议缺少“{name}”一节",
                fix=f"增加标题含“{'”或“'.join(words)}”的一节并写明相应条款",
                location=loc,
            )
    # 5.2 is about training data: a registration (no training) has no 5.2 b) to meet
    trains = ctx.dossier.service.kind != "registration"
    if trains and not any("知识产权" in h for h in headings):
        yield Finding.of(
            NO_IP_CLAUSE,
            "模型服务协议没有知识产权一节（5.2 b) 的知识产权义务：负责人、侵权投诉的处理、使用者的义务）",
            fix="增加标题含“知识产权”的一节",
            location=loc,
        )
