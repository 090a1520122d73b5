"""The dossier (``dossier.yaml``): every field of the 上线备案表 and the filing's attachments.

Types are strict (a wrong type is a schema error reported at ``file:line``); values may be left
empty, because completeness is judged by the check rules, which report what is missing.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Function = Literal["对话", "文字", "图片", "声音", "视频", "代码"]
Mode = Literal["app", "web", "api", "mini_program"]
Modality = Literal["text", "image", "audio", "video"]
SourceType = Literal["open_source", "self_collected", "commercial", "user_input"]
ChannelType = Literal["phone", "email", "web", "sms", "in_app"]
AnnotationSource = Literal["in_house", "outsourced", "mixed"]

ANNOTATION_SOURCE_ZH: dict[str, str] = {
    "in_house": "自有团队",
    "outsourced": "外包",
    "mixed": "自有团队与外包结合",
}
KIND_ZH: dict[str, str] = {"filing": "备案", "registration": "登记"}
DOMAIN_ZH: dict[str, str] = {"general": "通用", "industry": "行业"}
ANNOTATION_KIND_ZH: dict[str, str] = {"functional": "功能性标注", "safety": "安全性标注"}

MODE_ZH: dict[str, str] = {"app": "App", "web": "网页", "api": "API", "mini_program": "小程序"}
MODALITY_ZH: dict[str, str] = {"text": "文本", "image": "图片", "audio": "音频", "video": "视频"}
SOURCE_ZH: dict[str, str] = {
    "open_source": "开源语料",
    "self_collected": "自采语料",
    "commercial": "商业语料",
    "user_input": "使用者输入",
}
CHANNEL_ZH: dict[str, str] = {
    "phone": "电话",
    "email": "电子邮件",
    "web": "网页",
    "sms": "短信",
    "in_app": "应用内",
}
# Output modality of each service function declared on the form.
FUNCTION_MODALITY: dict[str, Modality] = {
    "对话": "text",
    "文字": "text",
    "代码": "text",
    "图片": "image",
    "声音": "audio",
    "视频": "video",
}


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())


class Person(_M):
    name: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None


class Responsible(_M):
    legal_representative: Person = Field(default_factory=Person)
    security_officer: Person = Field(default_factory=Person)  # 安全负责人
    content_officer: Person = Field(default_factory=Person)  # 内容审核负责人
    # who sign the self-assessment report (2023 draft of §9.1; the final text's letter unverified)
    assessment_lead: Person = Field(default_factory=Person)  # 评估工作负责人
    legality_lead: Person = Field(default_factory=Person)  # 合法性评估负责人


class Provider(_M):
    name: str | None = None
    uscc: str | None = None  # 统一社会信用代码
    province: str | None = None
    address: str | None = None
    contacts: list[Person] = Field(default_factory=list)
    responsible: Responsible = Field(default_factory=Responsible)


class Scope(_M):
    users: str | None = None  # 适用人群
    scenarios: str | None = None  # 场合
    uses: str | None = None  # 用途
    minors: bool = False  # 是否面向未成年人
    minors_measures: list[str] = Field(default_factory=list)
    # a service not meant for minors: how it keeps them out (age check, real-name sign-up …)
    minors_exclusion: list[str] = Field(default_factory=list)


class Service(_M):
    name: str | None = None
    model_name: str | None = None
    kind: Literal["filing", "registration"] = "filing"
    functions: list[Function] = Field(default_factory=list)
    domain: Literal["general", "industry"] = "general"
    industry: str | None = None
    modes: list[Mode] = Field(default_factory=list)
    url: str | None = None
    api_doc_url: str | None = None  # API 服务的公开说明文档
    launch_date: dt.date | None = None
    scope: Scope = Field(default_factory=Scope)
    limitations: str | None = None  # 能力与局限性（服务透明度说明，7 b）


class BaseModelInfo(_M):
    self_developed: bool = True
    name: str | None = None
    provider: str | None = None
    filed: bool | None = None
    filing_number: str | None = None


class Consent(_M):
    personal: bool = False  # 已取得个人同意
    sensitive_separate: bool = False  # 敏感个人信息已取得单独同意
    record: str | None = None


class Provenance(_M):
    license: str | None = None  # 开源语料：许可协议
    collection_record: str | None = None  # 自采语料：采集记录
    contract: str | None = None  # 商业语料：交易合同
    supplier_commitment: str | None = None  # 商业语料：供方承诺
    authorization_record: str | None = None  # 使用者输入：授权记录


class CorpusSource(_M):
    name: str | None = None
    type: SourceType | None = None
    scale: str | None = None
    language: str | None = None
    provenance: Provenance = Field(default_factory=Provenance)
    assessed_before_collection: bool = False
    verified_after_collection: bool = False
    harmful_ratio: float | None = Field(default=None, ge=0, le=100)  # 百分比
    personal_information: bool = False
    sensitive_personal_information: bool = False
    consent: Consent = Field(default_factory=Consent)


class Corpus(_M):
    total_scale: str | None = None
    legality: str | None = None  # 语料合法性说明（依法应阻断的信息不作为语料，5.1）
    intellectual_property: str | None = (
        None  # 知识产权管理：负责人、策略、侵权识别、投诉渠道（5.2）
    )
    sources: list[CorpusSource] = Field(default_factory=list)


class AnnotationTask(_M):
    task: str | None = None
    kind: Literal["functional", "safety"] = "safety"
    annotators: list[str] = Field(default_factory=list)
    reviewers: list[str] = Field(default_factory=list)


class Annotation(_M):
    source: AnnotationSource | None = None
    scale: str | None = None
    team_size: int | None = Field(default=None, ge=0)
    annotators_trained: bool = False
    annotators_assessed: bool = False
    tasks: list[AnnotationTask] = Field(default_factory=list)


class ModelCardFacts(_M):
    """Facts read from the model files by `beian modelcard --into` (not typed by hand)."""

    source: str | None = None
    parameter_count: int | None = Field(default=None, ge=0)
    parameter_count_exact: bool = False
    layers: int | None = Field(default=None, ge=0)
    hidden_size: int | None = Field(default=None, ge=0)
    context_length: int | None = Field(default=None, ge=0)
    dtype: str | None = None
    weights_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class ModelDev(_M):
    architecture: str | None = None
    training_framework: str | None = None  # 训练框架概要（服务透明度说明，7 b）
    parameters: str | None = None
    card: ModelCardFacts | None = None
    base_model: BaseModelInfo = Field(default_factory=BaseModelInfo)
    training_compute: str | None = None
    corpus: Corpus = Field(default_factory=Corpus)
    annotation: Annotation = Field(default_factory=Annotation)


class Interception(_M):
    keywords: bool = False
    classifier: bool = False
    manual_review: bool = False
    monitors: int | None = Field(default=None, ge=0)  # 监看人员数量
    description: str | None = None


class Updates(_M):
    model_policy: str | None = None  # 模型更新安全管理策略
    keywords_interval_days: float | None = Field(default=None, gt=0)
    banks_interval_days: float | None = Field(default=None, gt=0)
    reassess_after_major_update: bool = False


class Operations(_M):
    inference_compute: str | None = None
    interception: Interception = Field(default_factory=Interception)
    updates: Updates = Field(default_factory=Updates)


class ComplaintChannel(_M):
    type: ChannelType
    value: str


class Complaint(_M):
    channels: list[ComplaintChannel] = Field(default_factory=list)
    rules_url: str | None = None  # 公开的处理规则
    response_days: float | None = Field(default=None, gt=0)  # 公开的反馈时限（天）


class OptOut(_M):
    trains_on_inputs: bool = False
    offered: bool = False
    clicks: int | None = Field(default=None, ge=0)
    notice: str | None = None


class LabelMethod(_M):
    explicit: str | None = None  # 显式标识方式
    implicit: str | None = None  # 隐式标识（元数据）方式


class Safety(_M):
    encryption: str | None = None
    access_control: str | None = None
    backup: str | None = None
    security_audit: str | None = None
    personal_information: str | None = None
    transparency: str | None = None
    complaint: Complaint = Field(default_factory=Complaint)
    training_opt_out: OptOut = Field(default_factory=OptOut)
    labelling: dict[Modality, LabelMethod] = Field(default_factory=dict)
    supply_chain: str | None = None  # 计算系统供应链安全评估


class Remediation(_M):
    """§9.1 b) 2): for a clause not met, an alternative measure of equal effect, or the
    measures already taken plus a plan, each with its proof."""

    clause: str  # the clause id of the checklist (5.1-a, 8.1, …)
    equivalent_measure: str | None = None  # 同等效果的替代措施
    measures_taken: str | None = None  # 已采取的措施
    plan: str | None = None  # 整改计划
    deadline: dt.date | None = None  # 整改期限
    proof: str | None = None  # 证明材料（附件名称或记录位置）


class Attachments(_M):
    service_agreement: str | None = None  # Markdown
    annotation_rules: str | None = None  # Markdown
    keyword_list: str | None = None
    banks: str | None = None
    assessment: str | None = None  # AssessmentLog JSON


class Dossier(_M):
    """The whole ``dossier.yaml``."""

    format: Literal["beian-dossier/1"] = "beian-dossier/1"
    edition: str | None = None
    provider: Provider = Field(default_factory=Provider)
    service: Service = Field(default_factory=Service)
    model: ModelDev = Field(default_factory=ModelDev)
    operations: Operations = Field(default_factory=Operations)
    safety: Safety = Field(default_factory=Safety)
    remediation: list[Remediation] = Field(default_factory=list)
    attachments: Attachments = Field(default_factory=Attachments)

    def output_modalities(self) -> list[Modality]:
        seen: list[Modality] = []
        for f in self.service.functions:
            m = FUNCTION_MODALITY[f]
            if m not in seen:
                seen.append(m)
        return seen
