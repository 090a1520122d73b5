"""Which module defines each top-level command, and the one line ``beian --help`` shows for it.

``beian --help`` reads this table instead of importing the command modules; a command module is
imported only when its command runs or shows its own help. Keep the order (commands, then
groups, as ``beian --help`` lists them) and the help lines as the modules define them: a test
compares this table with what each module's ``register`` builds.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["COMMANDS", "Entry"]


class Entry(NamedTuple):
    """A top-level command or group: its name, its module under ``beian.cli``, its help line."""

    name: str
    module: str
    help: str


COMMANDS: tuple[Entry, ...] = (
    Entry("demo", "demo", "运行内置演示：启动演示模型服务，用演示题库与关键词库完成一次完整的安全评估（离线、无需密钥）。"),
    Entry("demo-server", "demo", "运行内置的 OpenAI 兼容演示模型服务（确定性：拒答部分问题、回答其余问题）。"),
    Entry("init", "dossier", "生成备案材料模板：dossier.yaml（上线备案表全部字段，中文注释）与服务协议、标注规则提纲。"),
    Entry("check", "dossier", "备案前检查：完整性、合规性与可行性规则；有“阻断”级问题时退出码为 1。"),
    Entry("build", "dossier", "生成备案材料包：上线备案表、安全评估报告（docx+pdf）、服务协议、标注规则、关键词列表、测试题集与 manifest.json。"),
    Entry("transparency", "dossier", "生成服务透明度说明（用户告知）：适用人群、场合、用途、基础模型、局限性、投诉渠道、备案号等。"),
    Entry("modelcard", "models", "读取模型文件，给出上线备案表“模型研制”所需信息（不加载权重）。"),
    Entry("serve", "registry", "启动备案登记系统（网页与 REST API）；首次启动自动创建管理员并打印登录方式。"),
    Entry("assess", "assess", "安全评估（TC260-003 第9章；GB/T 45654-2025 附录B）：运行评估、生成报告、人工抽检。"),
    Entry("bank", "bank", "测试题库：审核规模与重复、导出评估测试题集、导入公开数据集。"),
    Entry("classifier", "classifier", "分类模型：训练生成内容抽检用的分类模型。"),
    Entry("corpus", "corpus", "语料安全：来源核验、全量筛查、§9.2 抽检。"),
    Entry("gateway", "gateway", "合规网关：拦截、个人信息保护、标识、日志、投诉举报。"),
    Entry("keys", "keys", "加密密钥管理。"),
    Entry("label", "label", "AI 生成内容标识（GB 45438-2025）：隐式标识与显式标识。"),
    Entry("lexicon", "lexicon", "拦截关键词：扫描、审查（§8.1）与导出。"),
    Entry("models", "models", "参考生成式模型（GAN、VAE）：训练与带标识的采样。"),
    Entry("pii", "pii", "个人信息识别与去标识化。"),
    Entry("registry", "registry", "备案登记系统的管理命令。"),
    Entry("standards", "standards", "标准目录：风险、方面、数值要求、条款清单。"),
)  # fmt: skip
