"""``beian build``: the filing package, written atomically (temporary directory, then rename).

Layout of OUT (contract ``beian-package/1``, read by the registry's upload)::

    上线备案表.docx  安全评估报告.docx  安全评估报告.pdf  安全评估报告.html  模型服务协议.docx
    语料标注规则.docx  拦截关键词列表.xlsx  评估测试题集.xlsx  服务透明度说明.docx
    服务透明度说明.md  服务透明度说明.html  findings.json  assessment.json  manifest.json

The three 安全评估报告 files state one :class:`~beian.assess.Conclusion`, word for word.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beian import __version__
from beian._shared.package import (
    ASSESSMENT,
    FINDINGS,
    MANIFEST,
    META_FILES,
    PACKAGE_FORMAT,
    PackageFile,
    PackageManifest,
    PackageProvider,
    PackageService,
    dump_findings,
)
from beian.assess import render_report
from beian.dossier._check import CheckReport
from beian.dossier._context import DossierContext
from beian.dossier._exporters import EXPORTERS
from beian.dossier._form import form_document
from beian.dossier._report import report_conclusion, report_document
from beian.dossier._transparency import TRANSPARENCY_TITLE, transparency_document
from beian.dossier.render._markdown import markdown_document
from beian.dossier.render.docx import render_docx
from beian.dossier.render.pdf import render_pdf
from beian.dossier.render.text import render_html, render_markdown
from beian.errors import InputError

if TYPE_CHECKING:
    from beian.assess import AssessmentLog, Conclusion

# Markdown attachments rendered to .docx: attachment field -> document (and file) name.
MARKDOWN = {"service_agreement": "模型服务协议", "annotation_rules": "语料标注规则"}
# A registration (登记) trains nothing, so it has no annotation rules.
OPTIONAL_FOR_REGISTRATION = frozenset({"annotation_rules"})

# file name -> manifest kind (the edition's attachment ids, plus the form and the records)
FILES: dict[str, str] = {
    "上线备案表.docx": "filing_form",
    "安全评估报告.docx": "assessment_report",
    "安全评估报告.pdf": "assessment_report",
    "安全评估报告.html": "assessment_report",
    "模型服务协议.docx": "service_agreement",
    "语料标注规则.docx": "annotation_rules",
    "拦截关键词列表.xlsx": "keyword_list",
    "评估测试题集.xlsx": "test_banks",
    "服务透明度说明.docx": "transparency_notice",
    "服务透明度说明.md": "transparency_notice",
    "服务透明度说明.html": "transparency_notice",
    FINDINGS: META_FILES[FINDINGS],
    ASSESSMENT: META_FILES[ASSESSMENT],
}


@dataclass
class BuildResult:
    out: Path
    manifest: PackageManifest
    conclusion: Conclusion  # what the 安全评估报告 concludes (the same in DOCX, PDF and HTML)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _missing(ctx: DossierContext, attachment: str, title: str) -> InputError:
    return InputError(
        f"缺少附件：{title}",
        where=f"{ctx.path}: attachments.{attachment}",
        fix="填写该附件的路径并放入该文件（`beian check` 会列出缺失项）",
    )


def _inputs(report: CheckReport) -> tuple[AssessmentLog, dict[str, str]]:
    """Everything the package needs, read before anything is rendered (fail fast)."""
    ctx = report.context
    log = ctx.assessment
    if log is None or isinstance(log, InputError):
        raise InputError(
            "无法生成安全评估报告：缺少可读的评估记录",
            where=f"{ctx.path}: attachments.assessment",
            fix="先运行 `beian assess run`，并在 attachments.assessment 填写 AssessmentLog 路径",
        )
    texts = {}
    for attachment, title in MARKDOWN.items():
        text = ctx.attachment_text(attachment)
        if text is not None:
            texts[attachment] = text
        elif not (
            attachment in OPTIONAL_FOR_REGISTRATION and ctx.dossier.service.kind == "registration"
        ):
            raise _missing(ctx, attachment, title)
    for name, (attachment, _) in EXPORTERS.items():
        src = ctx.attachment(attachment)
        if src is None or not src.exists():
            raise _missing(ctx, attachment, name)
    return log, texts


def _write_all(report: CheckReport, tmp: Path) -> Conclusion:
    ctx = report.context
    log, texts = _inputs(report)
    for attachment, title in MARKDOWN.items():
        if attachment not in texts:
            continue
        doc = markdown_document(texts[attachment], default_title=title)
        doc.draft = report.blocking
        render_docx(doc, tmp / f"{title}.docx")
    for name, (attachment, export) in EXPORTERS.items():
        src = ctx.attachment(attachment)
        assert src is not None
        export(ctx, src, tmp / name)
    notice = transparency_document(ctx)
    notice.draft = report.blocking
    render_docx(notice, tmp / f"{TRANSPARENCY_TITLE}.docx")
    (tmp / f"{TRANSPARENCY_TITLE}.md").write_text(render_markdown(notice), encoding="utf-8")
    (tmp / f"{TRANSPARENCY_TITLE}.html").write_text(render_html(notice), encoding="utf-8")
    form = form_document(ctx)
    form.draft = report.blocking
    render_docx(form, tmp / "上线备案表.docx")
    doc = report_document(ctx, log, report.findings)
    doc.draft = report.blocking
    render_docx(doc, tmp / "安全评估报告.docx")
    render_pdf(doc, tmp / "安全评估报告.pdf")
    conclusion = report_conclusion(ctx, log, report.findings)
    html = render_report(
        log, ctx.edition, conclusion, draft=report.blocking, findings=report.findings
    )
    (tmp / "安全评估报告.html").write_text(html, encoding="utf-8")
    (tmp / FINDINGS).write_text(dump_findings(report.findings), encoding="utf-8")
    (tmp / ASSESSMENT).write_text(log.model_dump_json(indent=2), encoding="utf-8")
    return conclusion


def _manifest(ctx: DossierContext, tmp: Path) -> PackageManifest:
    d = ctx.dossier
    files = [
        PackageFile(
            path=p.name, sha256=_sha256(p), size=p.stat().st_size, kind=FILES.get(p.name, "other")
        )
        for p in sorted(tmp.iterdir(), key=lambda p: p.name)
        if p.is_file() and p.name != MANIFEST
    ]
    return PackageManifest(
        format=PACKAGE_FORMAT,
        tool=f"beian {__version__}",
        edition=ctx.edition.id,
        provider=PackageProvider(
            name=d.provider.name, uscc=d.provider.uscc, province=d.provider.province
        ),
        service=PackageService(
            name=d.service.name, model_name=d.service.model_name, kind=d.service.kind
        ),
        files=files,
    )


def build_package(report: CheckReport, out: str | Path, *, force: bool = False) -> BuildResult:
    """Render the filing package of a checked dossier into ``out``.

    Everything is written into a temporary directory beside ``out`` and renamed into place, so
    ``out`` is either the complete package or untouched. An existing ``out`` is replaced only
    with ``force`` (and only when it is empty or a previous package).
    """
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise InputError("输出路径已存在且不是目录", where=str(out), fix="换一个输出目录")
        if any(out.iterdir()):
            if not force:
                raise InputError(
                    "输出目录非空，未覆盖",
                    where=str(out),
                    fix="换一个空目录，或加 --force 覆盖旧的材料包",
                )
            if not (out / MANIFEST).is_file():
                raise InputError(
                    "输出目录不是 beian 材料包（没有 manifest.json），拒绝覆盖",
                    where=str(out),
                    fix="换一个空目录",
                )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        conclusion = _write_all(report, tmp)
        manifest = _manifest(report.context, tmp)
        manifest.draft = report.blocking  # 阻断级问题未解决：草稿，不可提交
        (tmp / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        tmp.chmod(0o755)
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{tmp.name[-8:]}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise
    return BuildResult(out=out, manifest=manifest, conclusion=conclusion)
