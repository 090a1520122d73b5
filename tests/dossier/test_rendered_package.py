"""The demo package as a regulator reads it: every DOCX and XLSX converted by LibreOffice, the
PDF read by pdftotext, the HTML by an HTML parser; checks on what a person would see."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import typing
from pathlib import Path

import pytest

from beian.assess import ITEMS, judge_title
from beian.dossier import build_demo_package
from beian.dossier._report import CONCLUSION_HEADING
from beian.dossier._schema import Dossier
from beian.standards import load_edition
from tests.dossier._extract import (
    ALL_SHEETS_CSV,
    docx_section,
    docx_units,
    html_read,
    page_images,
    pdf_pages,
    pdf_text,
    soffice,
    watermark_share,
)
from tests.dossier._helpers import NOW, passing_log

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="needs LibreOffice (soffice) and poppler (pdftotext)",
)
ED = load_edition()


class Rendered(typing.NamedTuple):
    package: Path
    texts: dict[str, str]  # file name -> text as LibreOffice / pdftotext renders it
    units: dict[str, list[str]]  # file name -> paragraphs and table rows
    pdfs: dict[str, Path]  # DOCX file name -> LibreOffice's PDF; the report's PDF as built


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    root = tmp_path_factory.mktemp("rendered")
    log = root / "assessment.json"
    passing_log().save(log)
    build_demo_package(root / "demo", log, now=NOW)
    package = root / "demo" / "package"
    docx = sorted(package.glob("*.docx"))
    xlsx = sorted(package.glob("*.xlsx"))
    soffice([*docx, *xlsx], root / "pdf", "pdf", root / "lo")
    soffice(xlsx, root / "csv", ALL_SHEETS_CSV, root / "lo")
    texts = {p.name: pdf_text(root / "pdf" / f"{p.stem}.pdf") for p in [*docx, *xlsx]}
    texts["安全评估报告.pdf"] = pdf_text(package / "安全评估报告.pdf")
    units = {p.name: docx_units(p) for p in docx}
    for p in xlsx:
        units[p.name] = [
            row.replace(",", "\t")
            for sheet in sorted((root / "csv").glob(f"{p.stem}-*.csv"))
            for row in sheet.read_text("utf-8").splitlines()
        ]
    for p in package.glob("*.html"):
        units[p.name] = html_read(p).units
        texts[p.name] = "\n".join(units[p.name])
    pdfs = {p.name: root / "pdf" / f"{p.stem}.pdf" for p in docx}
    pdfs["安全评估报告.pdf"] = package / "安全评估报告.pdf"
    return Rendered(package, texts, units, pdfs)


def test_every_document_is_readable_chinese(rendered: Rendered) -> None:
    texts = rendered.texts
    assert len(texts) == 10  # 5 DOCX, 2 XLSX, the PDF, 2 HTML
    for name, text in texts.items():
        for bad in ("None", "True", "False", "/tmp/", "/work/", "/home/", "in_house", "可信度"):
            assert bad not in text, (name, bad)
        if not name.endswith(".html"):  # CSS and SVG are not text a reader sees
            assert "{" not in text, name
        assert not re.search(r"(?<![\d.-])\d+\.0(?![\d.%])", text), name  # 7.0 for 7
        if not name.endswith(".xlsx"):
            assert "草稿" in text, name  # the demo has blocking findings


def _enum_values() -> set[str]:
    """Every English value a dossier field can take, and the assessment's own identifiers."""
    values: set[str] = set()

    def walk(tp: object) -> None:
        if typing.get_origin(tp) is typing.Literal:
            values.update(str(a) for a in typing.get_args(tp))
        for arg in typing.get_args(tp):
            walk(arg)
        fields = getattr(tp, "model_fields", None)
        if fields:
            for f in fields.values():
                walk(f.annotation)

    walk(Dossier)
    values -= {"beian-dossier/1", "对话", "文字", "图片", "声音", "视频", "代码"}
    values |= set(ITEMS) | {"must_refuse", "must_answer", "generation", "stratified", "random"}
    values |= set(ED.aspects) | {"refusal", "keyword", "classifier", "llm", "guard", "manual"}
    return values


def test_no_english_identifiers_in_any_document(rendered: Rendered) -> None:
    forbidden = _enum_values()
    assert {"in_house", "user_input", "registration", "9.4-must_refuse", "heroes"} <= forbidden
    for name, text in rendered.texts.items():
        tokens = set(re.findall(r"(?<![\w./@-])[A-Za-z][\w.-]*[A-Za-z0-9_](?![\w/@-])", text))
        assert not tokens & forbidden, (name, sorted(tokens & forbidden))
    assert judge_title("refusal") == "拒答判定"


_CODE = re.compile(r"(?<![\w-])A[1-5][a-i](?![\w-])")


def test_every_risk_code_comes_with_its_whole_name(rendered: Rendered) -> None:
    """A risk code is never shown alone, and its name is never cut short."""
    seen = 0
    for name, units in rendered.units.items():
        for unit in units:
            for code in _CODE.findall(unit):
                seen += 1
                assert ED.risks[code].name in unit, (name, unit)
    assert seen > 100  # the keyword list, the banks, the report's tables and charts
    long_name = ED.risks["A3d"].name
    assert len(long_name) > 20
    assert any(long_name in u for u in rendered.units["安全评估报告.html"] if "<" not in u)
    assert any(long_name in u for u in rendered.units["安全评估报告.docx"])


def _matrix_rows(units: list[str]) -> dict[str, list[int]]:
    header = next(u.split("\t") for u in units if u.startswith("题型\t"))
    assert header[-1] == "合计"
    rows = {}
    for u in units:
        cells = u.split("\t")
        if cells[0] in ("应拒答测试题", "非拒答测试题") and len(cells) == len(header):
            rows[cells[0]] = [int(c) for c in cells[1:]]
    return rows


@pytest.mark.parametrize("name", ["安全评估报告.docx", "安全评估报告.html"])
def test_refusal_matrix_rows_sum_to_the_sample(rendered: Rendered, name: str) -> None:
    rows = _matrix_rows(rendered.units[name])
    assert rows == {
        "应拒答测试题": [200, 96, 3, 0, 1, 0, 300],  # the blocked answer counted once
        "非拒答测试题": [5, 2, 293, 0, 0, 0, 300],
    }
    for counts in rows.values():
        assert sum(counts[:-1]) == counts[-1] == 300


def test_form_uses_integers_and_chinese_enums(rendered: Rendered) -> None:
    text = rendered.texts["上线备案表.docx"]
    assert re.search(r"关键词库更新周期.*\s7\s", text)
    assert "自有团队" in text
    assert "不适用（不面向未成年人）" in text


def test_one_conclusion_across_docx_pdf_and_html(rendered: Rendered) -> None:
    conclusions = {
        name: re.findall(r"评估结论为：(不符合|符合|待定)", re.sub(r"\s+", "", t))
        for name, t in rendered.texts.items()
        if name.startswith("安全评估报告")
    }
    assert set(conclusions) == {"安全评估报告.docx", "安全评估报告.pdf", "安全评估报告.html"}
    assert all(found == ["不符合"] for found in conclusions.values()), conclusions
    lines = docx_section(rendered.package / "安全评估报告.docx", CONCLUSION_HEADING)
    assert lines == html_read(rendered.package / "安全评估报告.html").verdicts
    manifest = json.loads((rendered.package / "manifest.json").read_text("utf-8"))
    assert manifest["draft"] is True


def test_signatures_and_remediation(rendered: Rendered) -> None:
    """The report and the form end with a signature block; the report has §9.1 b) 2)."""
    rows = rendered.units["安全评估报告.docx"]
    for role, who in (
        ("评估单位（盖章）", "示例智能科技（北京）有限公司"),
        ("法定代表人（签字）", "李法人"),
        ("评估工作负责人（签字）", "张安全（安全负责人）"),
        ("合法性评估负责人（签字）", "钱法务（法务总监）"),
    ):
        assert any(r.startswith(f"{role}\t{who}\t") and r.endswith("年　　月　　日") for r in rows)
    assert "七、签章" in rows and any(r.startswith("不符合项的处理") for r in rows)
    assert any(
        "§8.1）\t" in r and "提供者说明：已采取的措施：演示关键词库" in r for r in rows
    )  # §9.1 b) 2) from dossier.yaml's remediation
    form = rendered.units["上线备案表.docx"]
    assert "五、承诺与签章" in form
    assert any(r.startswith("备案主体（盖章）\t示例智能科技") for r in form)
    assert any(r.startswith("法定代表人（签字）\t李法人") for r in form)


def test_transparency_notice(rendered: Rendered) -> None:
    md = (rendered.package / "服务透明度说明.md").read_text("utf-8")
    for text in (md, rendered.texts["服务透明度说明.html"], rendered.texts["服务透明度说明.docx"]):
        flat = re.sub(r"\s+", "", text)
        for must in (
            "年满18周岁的个人用户与企业开发者",  # users
            "办公写作",  # scenarios
            "示例基座模型",  # the base model and its filing number
            "Beijing-ShiLiJiZuo-202404280016",
            "不能替代医疗、法律、金融等专业意见",  # limitations
            "指令微调",  # training framework
            "设置>隐私>改进计划",  # opt-out
            "400-000-0000",  # complaint channel
            "AI生成",  # labelling
            "备案办理中",  # the service's own number is not issued yet
            "本服务不面向未成年人",
        ):
            assert must in flat, must
    manifest = json.loads((rendered.package / "manifest.json").read_text("utf-8"))
    kinds = {f["path"]: f["kind"] for f in manifest["files"]}
    assert kinds["服务透明度说明.html"] == "transparency_notice"


def test_docx_is_marked_simplified_chinese(rendered: Rendered) -> None:
    import zipfile

    styles = zipfile.ZipFile(rendered.package / "上线备案表.docx").read("word/styles.xml").decode()
    assert 'w:eastAsia="zh-CN"' in styles and "ja-JP" not in styles
    document = (
        zipfile.ZipFile(rendered.package / "安全评估报告.docx").read("word/document.xml").decode()
    )
    assert "<w:tblHeader" in document


def test_draft_watermark_on_every_page(rendered: Rendered, tmp_path: Path) -> None:
    """Every page of every DOCX (as LibreOffice renders it) and of the PDF carries 草稿: in its
    text, and as a light-red diagonal mark behind the text (seen in the rendered pixels)."""
    assert len(rendered.pdfs) == 6  # 5 DOCX and the report's own PDF
    for name, pdf in rendered.pdfs.items():
        pages = pdf_pages(pdf)
        images = page_images(pdf, tmp_path / name)
        assert len(pages) == len(images) >= 2, name
        for i, (text, png) in enumerate(zip(pages, images, strict=True), 1):
            assert "草稿" in text, (name, i)
            share, slope = watermark_share(png)
            assert share > 0.008, (name, i, share)  # missing or hidden behind an image
            assert slope < -0.1, (name, i, slope)  # rising at 45 degrees (a level mark: 0)


def test_a_final_package_has_no_watermark(tmp_path: Path) -> None:
    from beian.dossier import check_dossier
    from beian.dossier._report import report_document
    from beian.dossier.render.pdf import render_pdf
    from tests.dossier._helpers import make_example

    report = check_dossier(make_example(tmp_path), now=NOW)
    assert not report.blocking
    assert report.context.assessment is not None
    doc = report_document(report.context, passing_log(), report.findings)
    render_pdf(doc, tmp_path / "final.pdf")
    for png in page_images(tmp_path / "final.pdf", tmp_path / "png"):
        assert watermark_share(png)[0] < 0.001
    assert "草稿" not in pdf_text(tmp_path / "final.pdf")


def _headings(path: Path) -> set[str]:
    import docx

    return {
        p.text
        for p in docx.Document(str(path)).paragraphs
        if p.style is not None and p.style.name.startswith("Heading") and p.text.strip()
    }


def test_no_heading_alone_at_the_foot_of_a_page(rendered: Rendered) -> None:
    """A heading is followed on its page by what it heads (DOCX through LibreOffice, and the
    PDF renderer); the DOCX headings keep with the next paragraph."""
    import docx

    for name in ("安全评估报告.docx", "上线备案表.docx", "服务透明度说明.docx"):
        d = docx.Document(str(rendered.package / name))
        for style in ("Heading 1", "Heading 2", "Heading 3"):
            assert d.styles[style].paragraph_format.keep_with_next, (name, style)
    report_headings = _headings(rendered.package / "安全评估报告.docx")
    assert len(report_headings) > 10
    for name, pdf in rendered.pdfs.items():
        headings = (
            report_headings
            if name.startswith("安全评估报告")
            else _headings(rendered.package / name)
        )
        for i, page in enumerate(pdf_pages(pdf), 1):
            lines = [x.strip() for x in page.splitlines() if x.strip()]
            assert lines, (name, i)
            assert lines[-1] not in headings, (name, i, lines[-1])


def test_no_two_docx_tables_touch(rendered: Rendered) -> None:
    """Word and LibreOffice merge two adjacent tables into one: a paragraph stands between."""
    import docx
    from docx.oxml.ns import qn

    tables = 0
    for path in rendered.package.glob("*.docx"):
        body = list(docx.Document(str(path)).element.body.iterchildren())
        tags = [e.tag for e in body]
        tables += tags.count(qn("w:tbl"))
        for a, b in itertools.pairwise(tags):
            assert not (a == b == qn("w:tbl")), path.name
    assert tables > 10


def test_item_and_clause_share_a_cell_and_the_edition_names_its_chapters(
    rendered: Rendered,
) -> None:
    units = rendered.units["安全评估报告.docx"]
    assert ED.assessment_chapter == "附录B 安全评估方法与参考指标"
    assert f"二、评估结果（{ED.assessment_chapter}）" in units
    assert f"四、{ED.clause_chapters}条款符合性" in units
    assert any(u.startswith("评估项（条款）\t样本量 n") for u in units)
    assert any(u.startswith("生成内容关键词抽检\n（附录B") and "§9.3" in u for u in units)
    assert any(u.startswith("代码（条款）\t级别\t问题") for u in units)
    assert not any(u.startswith("代码\t") for u in units)
    html = rendered.texts["安全评估报告.html"]
    assert f"一、评估项结果（{ED.assessment_chapter}）" in html
    assert f"七、{ED.clause_chapters}条款符合性" in html
    assert "第5–8章" not in "".join(units) + html  # TC260-003's chapters, not this edition's
    tc = load_edition("tc260-003-2024")
    assert (tc.assessment_chapter, tc.clause_chapters) == ("第9章 安全评估要求", "第5–8章")


def test_the_report_states_the_sampling_method(rendered: Rendered) -> None:
    for name in ("安全评估报告.docx", "安全评估报告.pdf", "安全评估报告.html"):
        flat = re.sub(r"\s+", "", rendered.texts[name])
        assert "抽样方法：" in flat and "按风险（非拒答题按方面）分层随机抽样" in flat, name
    docx_text = re.sub(r"\s+", "", rendered.texts["安全评估报告.docx"])
    assert "抽样方法：按风险（非拒答题按方面）分层随机抽样（样本：语料总量50000）" in docx_text


def test_every_material_of_the_edition_is_in_the_package(rendered: Rendered) -> None:
    manifest = json.loads((rendered.package / "manifest.json").read_text("utf-8"))
    kinds = {f["kind"] for f in manifest["files"]}
    wanted = {"filing_form"} | {a.id for a in ED.materials.attachments}
    assert "transparency_notice" in wanted
    assert wanted <= kinds, wanted - kinds
    form = "".join(rendered.units["上线备案表.docx"])
    assert "服务透明度说明" in form  # the form's list of attachments


@pytest.mark.parametrize(
    ("name", "block"),
    [
        ("上线备案表.docx", ("五、承诺与签章", "本单位承诺", "备案主体", "张安全")),
        ("安全评估报告.docx", ("七、签章", "本单位对本报告", "评估单位", "钱法务")),
        ("安全评估报告.pdf", ("七、签章", "本单位对本报告", "评估单位", "钱法务")),
    ],
)
def test_the_signature_block_is_not_split(
    rendered: Rendered, name: str, block: tuple[str, ...]
) -> None:
    """The heading, the undertaking and every signature row (down to the last signer's name)
    sit on one page."""
    pages = [re.sub(r"\s+", "", p) for p in pdf_pages(rendered.pdfs[name])]
    holding = [i for i, page in enumerate(pages) if block[0] in page]
    assert len(holding) == 1, (name, holding)
    assert all(part in pages[holding[0]] for part in block), name
