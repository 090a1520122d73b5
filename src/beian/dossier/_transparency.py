"""The service's transparency notice (服务透明度说明 / 用户告知), generated from the dossier.

§7 b) asks the provider to publish, where users see it, who the service is for, where and for
what it is used, and the third-party base model it builds on; the Measures (Art. 10, 15) add
minors and the complaint channel. The notice also states the model's limitations, its
architecture and training in outline, how inputs are used for training and how to opt out, how
generated content is labelled, and the service's 备案号 (or 登记编号) once the registry issues it.
It is rendered to .docx with the package and to Markdown and HTML for the provider's site and
the gateway's ``/transparency`` page.
"""

from __future__ import annotations

from pathlib import Path

from beian.dossier._clauses import modes_zh
from beian.dossier._context import DossierContext
from beian.dossier._schema import CHANNEL_ZH, KIND_ZH, MODALITY_ZH, Dossier
from beian.dossier.render._blocks import Document, Heading, Para, Table

__all__ = ["TRANSPARENCY_TITLE", "transparency_document", "write_transparency"]

TRANSPARENCY_TITLE = "服务透明度说明"
_UNSET = "（提供者未填写）"


def _v(value: object) -> str:
    return str(value).strip() if value is not None and str(value).strip() else _UNSET


def _number(d: Dossier, number: str | None) -> str:
    word = KIND_ZH[d.service.kind]
    if number:
        return number
    return f"{word}办理中，{word}{'号' if d.service.kind == 'filing' else '编号'}将在取得后于此公示"


def _model_rows(d: Dossier) -> list[tuple[str, str]]:
    m, b = d.model, d.model.base_model
    base = (
        "自研模型，未使用第三方基础模型"
        if b.self_developed
        else f"{_v(b.name)}（{_v(b.provider)}），备案号 {_v(b.filing_number)}"
    )
    return [
        ("基础模型", base),
        ("模型架构", _v(m.architecture)),
        ("参数规模", _v(m.parameters)),
        ("训练框架概要", _v(m.training_framework)),
    ]


def _inputs(d: Dossier) -> str:
    o = d.safety.training_opt_out
    if not o.trains_on_inputs:
        return "本服务不将使用者输入的信息用于模型训练。"
    clicks = "" if o.clicks is None else f"（{o.clicks} 次点击）"
    return f"经您授权，您输入的信息可能用于改进模型。关闭方式：{_v(o.notice)}{clicks}。"


def _labels(d: Dossier) -> list[tuple[str, str, str]]:
    return [(MODALITY_ZH[m], _v(v.explicit), _v(v.implicit)) for m, v in d.safety.labelling.items()]


def _complaints(d: Dossier) -> list[tuple[str, str]]:
    c = d.safety.complaint
    rows = [(CHANNEL_ZH[ch.type], ch.value) for ch in c.channels]
    rows.append(("处理规则", _v(c.rules_url)))
    days = None if c.response_days is None else f"{c.response_days:g} 天内反馈处理结果"
    rows.append(("反馈时限", _v(days)))
    return rows


def transparency_document(ctx: DossierContext, *, number: str | None = None) -> Document:
    """The notice for the dossier's service; ``number`` is its 备案号 or 登记编号 once issued."""
    d = ctx.dossier
    s = d.service
    scope = s.scope
    minors = (
        "本服务面向未成年人，保护措施：" + "；".join(scope.minors_measures)
        if scope.minors
        else "本服务不面向未成年人，未满 18 周岁的用户请勿使用。"
        + ("".join(f"{m}。" for m in scope.minors_exclusion if m.strip()))
    )
    api = [("API 说明文档", _v(s.api_doc_url))] if "api" in s.modes else []
    doc = Document(
        title=f"{_v(s.name)} {TRANSPARENCY_TITLE}",
        subtitle=(f"提供者：{_v(d.provider.name)}", f"更新日期：{ctx.now:%Y-%m-%d}"),
    )
    doc.add(
        Heading("一、服务与提供者"),
        Table(
            ("项目", "内容"),
            (
                ("服务名称", _v(s.name)),
                ("模型名称", _v(s.model_name)),
                ("服务提供者", _v(d.provider.name)),
                (f"{KIND_ZH[s.kind]}{'号' if s.kind == 'filing' else '编号'}", _number(d, number)),
                ("服务形式", modes_zh(d)),
                ("服务地址", _v(s.url)),
                *api,
            ),
            (1, 3),
        ),
        Heading("二、适用人群、场合与用途"),
        Table(
            ("项目", "内容"),
            (
                ("适用人群", _v(scope.users)),
                ("适用场合", _v(scope.scenarios)),
                ("用途", _v(scope.uses)),
                ("未成年人", minors),
            ),
            (1, 3),
        ),
        Heading("三、模型与训练概要"),
        Table(("项目", "内容"), tuple(_model_rows(d)), (1, 3)),
        Heading("四、能力与局限性"),
        Para(_v(s.limitations)),
        Para("生成内容由人工智能生成，可能不准确或不完整，请结合其他信息审慎判断。"),
        Heading("五、输入信息的使用"),
        Para(_inputs(d)),
        Para(f"个人信息保护：{_v(d.safety.personal_information)}"),
        Heading("六、生成内容标识"),
        Table(("内容类型", "显式标识", "隐式标识（文件元数据）"), tuple(_labels(d)), (1, 2, 2))
        if d.safety.labelling
        else Para(_UNSET),
        Heading("七、投诉举报"),
        Table(("方式", "内容"), tuple(_complaints(d)), (1, 3)),
        Para(
            f"本说明依据 {ctx.edition.short} {ctx.edition.cite('7 b)')}（服务透明度）及"
            "《生成式人工智能服务管理暂行办法》第十条、第十五条，由备案材料生成。",
            note=True,
        ),
    )
    return doc


def write_transparency(ctx: DossierContext, out: str | Path, *, number: str | None = None) -> Path:
    """Write the notice to ``out`` as .html, .md or .docx (by its suffix), atomically."""
    from beian.dossier.render.docx import render_docx
    from beian.dossier.render.text import render_html, render_markdown
    from beian.errors import InputError
    from beian.io import atomic_write_text

    out = Path(out)
    doc = transparency_document(ctx, number=number)
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        atomic_write_text(out, render_html(doc))
    elif suffix == ".md":
        atomic_write_text(out, render_markdown(doc))
    elif suffix == ".docx":
        render_docx(doc, out)
    else:
        raise InputError(
            f"不支持的输出格式 {out.suffix or '（无扩展名）'}",
            where=str(out),
            fix="输出文件以 .html、.md 或 .docx 结尾",
        )
    return out
