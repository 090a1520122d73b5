"""The 上线备案表 as a document, section by section as the edition's materials list it."""

from __future__ import annotations

from beian.dossier._clauses import modes_zh
from beian.dossier._context import DossierContext
from beian.dossier._schema import (
    ANNOTATION_SOURCE_ZH,
    CHANNEL_ZH,
    MODALITY_ZH,
    SOURCE_ZH,
    Dossier,
    ModelCardFacts,
    Person,
)
from beian.dossier._signatures import signature_table
from beian.dossier.render._blocks import Document, Heading, Para, Table

NA_SELF = "不适用（自研基础模型）"


def _v(value: object) -> str:
    if value is None or value == "" or value == []:
        return "（未填写）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _person(p: Person) -> str:
    return " ".join(x for x in (p.name, p.title, p.phone, p.email) if x) or "（未填写）"


def _kv(rows: list[tuple[str, object]]) -> Table:
    return Table(("项目", "内容"), tuple((k, _v(v)) for k, v in rows), (1, 3))


def form_document(ctx: DossierContext) -> Document:
    d = ctx.dossier
    doc = Document(
        title=f"生成式人工智能服务{ctx.edition.materials.form_name}",
        subtitle=(f"{_v(d.provider.name)} · {_v(d.service.name)}", ctx.edition.label()),
    )
    sections = {sec.id: sec.name for sec in ctx.edition.materials.sections}
    doc.add(
        Heading(f"一、{sections.get('basic', '基本信息')}"),
        _kv(_basic_rows(d)),
        Heading(f"二、{sections.get('model', '模型研制')}"),
        _kv(_model_rows(d)),
        _corpus_table(d),
        Heading(f"三、{sections.get('service', '服务与安全')}"),
        _kv(_service_rows(d)),
        Heading("四、附件"),
        Table(
            ("附件（条款）", "格式"),
            tuple(
                (f"{a.name}\n（{ctx.edition.cite(a.clause)}）", "、".join(a.format))
                for a in ctx.edition.materials.attachments
            ),
            (3, 1),
        ),
        Para(ctx.edition.materials.test_access, note=True),
        Heading("五、承诺与签章"),
        Para(
            "本单位承诺：本表所填信息及所附材料真实、准确、完整；服务按本表所述范围提供，"
            "发生重大变更时及时办理变更手续。"
        ),
        signature_table(
            [
                ("备案主体（盖章）", d.provider.name),
                ("法定代表人（签字）", d.provider.responsible.legal_representative),
                ("安全负责人（签字）", d.provider.responsible.security_officer),
            ]
        ),
    )
    return doc


def _basic_rows(d: Dossier) -> list[tuple[str, object]]:
    p, s = d.provider, d.service
    return [
        ("模型名称", s.model_name),
        ("服务名称", s.name),
        (
            "备案类型",
            "备案（自研或微调模型）" if s.kind == "filing" else "登记（调用已备案模型）",
        ),
        ("备案主体", p.name),
        ("统一社会信用代码", p.uscc),
        ("属地", p.province),
        ("单位地址", p.address),
        ("法定代表人", _person(p.responsible.legal_representative)),
        ("安全负责人", _person(p.responsible.security_officer)),
        ("内容审核负责人", _person(p.responsible.content_officer)),
        ("联系人", "；".join(_person(c) for c in p.contacts)),
        ("服务功能", "、".join(s.functions)),
        ("通用或行业领域", "通用" if s.domain == "general" else f"行业：{_v(s.industry)}"),
        ("服务形式", modes_zh(d)),
        ("服务地址", s.url),
        ("计划上线日期", s.launch_date),
        ("适用人群", s.scope.users),
        ("适用场合", s.scope.scenarios),
        ("用途", s.scope.uses),
        ("是否面向未成年人", s.scope.minors),
        (
            "未成年人保护措施",
            "；".join(s.scope.minors_measures) if s.scope.minors else "不适用（不面向未成年人）",
        ),
        (
            "防止未成年人使用的措施",
            "不适用（面向未成年人）" if s.scope.minors else "；".join(s.scope.minors_exclusion),
        ),
    ]


def _model_rows(d: Dossier) -> list[tuple[str, object]]:
    m = d.model
    b = m.base_model
    return [
        ("模型架构", m.architecture),
        ("参数规模", m.parameters),
        *_card_rows(m.card),
        ("是否使用他人基础模型", not b.self_developed),
        ("基础模型", NA_SELF if b.self_developed else f"{_v(b.name)}（{_v(b.provider)}）"),
        (
            "基础模型是否已备案及备案号",
            NA_SELF if b.self_developed else f"{_v(b.filed)}，{_v(b.filing_number)}",
        ),
        ("训练算力", m.training_compute),
        ("语料规模", m.corpus.total_scale),
        ("语料合法性", m.corpus.legality),
        (
            "标注来源与规模",
            f"{_v(ANNOTATION_SOURCE_ZH.get(m.annotation.source or ''))}；{_v(m.annotation.scale)}；"
            f"{_v(m.annotation.team_size)} 人",
        ),
    ]


def _corpus_table(d: Dossier) -> Table:
    return Table(
        ("语料来源", "类型", "规模", "语种", "违法不良信息占比", "个人信息"),
        tuple(
            (
                _v(src.name),
                SOURCE_ZH.get(src.type or "", "（未填写）"),
                _v(src.scale),
                _v(src.language),
                "（未测）" if src.harmful_ratio is None else f"{src.harmful_ratio:g}%",
                "敏感个人信息"
                if src.sensitive_personal_information
                else ("含" if src.personal_information else "不含"),
            )
            for src in d.model.corpus.sources
        ),
        (2.4, 1.2, 1.2, 1, 1.4, 1.2),
    )


def _service_rows(d: Dossier) -> list[tuple[str, object]]:
    o, sa = d.operations, d.safety
    return [
        ("推理算力", o.inference_compute),
        ("拦截措施", o.interception.description),
        (
            "关键词 / 分类模型 / 人工监看",
            f"{_v(o.interception.keywords)} / {_v(o.interception.classifier)} / {_v(o.interception.manual_review)}",
        ),
        ("监看人员", o.interception.monitors),
        ("模型更新策略", o.updates.model_policy),
        ("关键词库更新周期（天）", o.updates.keywords_interval_days),
        ("测试题库更新周期（天）", o.updates.banks_interval_days),
        ("数据加密", sa.encryption),
        ("访问控制", sa.access_control),
        ("备份与恢复", sa.backup),
        ("安全审计", sa.security_audit),
        ("个人信息保护", sa.personal_information),
        ("透明度", sa.transparency),
        ("供应链安全", sa.supply_chain),
        (
            "投诉举报渠道",
            "；".join(f"{CHANNEL_ZH[c.type]} {c.value}" for c in sa.complaint.channels),
        ),
        (
            "处理规则与反馈时限",
            f"{_v(sa.complaint.rules_url)}；{_v(sa.complaint.response_days)} 天",
        ),
        (
            "输入用于训练及关闭方式",
            f"{_v(sa.training_opt_out.trains_on_inputs)}；{_v(sa.training_opt_out.notice)}",
        ),
        (
            "生成内容标识",
            "；".join(
                f"{MODALITY_ZH[k]}：{_v(v.explicit)} / {_v(v.implicit)}"
                for k, v in sa.labelling.items()
            ),
        ),
    ]


def _card_rows(card: ModelCardFacts | None) -> list[tuple[str, object]]:
    """Rows from `beian modelcard --into`: exact figures read from the weights."""
    if card is None:
        return []
    params = None
    if card.parameter_count is not None:
        params = f"{card.parameter_count:,}" + ("" if card.parameter_count_exact else "（估算）")
    return [
        ("参数量（由模型文件读取）", params),
        ("层数", card.layers),
        ("隐藏层维度", card.hidden_size),
        ("上下文长度", card.context_length),
        ("数据类型", card.dtype),
        ("权重文件 SHA-256", card.weights_sha256),
    ]
