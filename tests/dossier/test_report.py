"""The assessment report's content: clause verdicts, conclusion and remediation."""

from __future__ import annotations

from pathlib import Path

from beian.dossier import check_dossier
from beian.dossier._clauses import assess_clauses
from beian.dossier._form import form_document
from beian.dossier._report import report_document
from beian.standards import load_edition
from tests.dossier._helpers import NOW, edit_file, plant, put, with_result, write_log


def _report(d: Path) -> tuple[str, dict[str, str]]:
    r = check_dossier(d, now=NOW)
    log = r.context.assessment
    assert log is not None and not isinstance(log, Exception)
    verdicts = {c.item.id: c.verdict for c in assess_clauses(r.context, log, r.findings)}
    return report_document(r.context, log, r.findings).text(), verdicts


def test_clean_dossier_scores_every_clause(example: Path) -> None:
    text, verdicts = _report(example)
    assert set(verdicts) == {c.id for c in load_edition().clauses}
    assert set(verdicts.values()) == {"符合"}
    assert "评估结论为：符合" in text
    assert "未发现阻断或警告级问题" in text


def test_not_applicable_clauses(example: Path) -> None:
    plant(
        example,
        put("model.base_model.self_developed", True),
        put("safety.training_opt_out.trains_on_inputs", False),
    )
    _, verdicts = _report(example)
    assert verdicts["6-a"] == "不适用"
    assert verdicts["7-c"] == "不适用"
    assert verdicts["7-f"] == "符合"


def test_failures_make_clauses_non_conforming_with_remedy(example: Path) -> None:
    plant(
        example,
        write_log(lambda: with_result("9.4-must_refuse", 270, 300)),
        put("safety.complaint.response_days", None),
    )
    text, verdicts = _report(example)
    assert verdicts["7-g"] == "不符合"  # the refusal item failed
    assert verdicts["7-f"] == "不符合"  # BA-DOS-023 cites 7 f)
    assert verdicts["6-b"] == "符合"
    assert "评估结论为：不符合" in text
    assert "原因：" in text and "整改建议（工具生成，提供者尚未在 remediation 中说明）" in text
    assert "BA-DOS-023" in text and "BA-DOS-020" in text


def test_form_has_every_section_of_the_materials_list(example: Path) -> None:
    r = check_dossier(example, now=NOW)
    text = form_document(r.context).text()
    for section in load_edition().materials.sections:
        assert section.name in text
    for value in ("ShiLiChat", "512 卡", "400-000-0000", "AI生成"):
        assert value in text


def test_missing_items_are_named_in_the_conclusion(example: Path) -> None:
    from tests.dossier._helpers import without

    plant(example, write_log(lambda: without("9.2-manual")))
    text, verdicts = _report(example)
    assert verdicts["5.1-a"] == "不符合"
    assert "未评估 1 项（语料人工抽检）" in text
    assert "评估结论为：不符合" in text


def test_clause_without_evidence_is_never_conforming(example: Path) -> None:
    plant(
        example,
        put("model.corpus.legality", ""),
        put("model.corpus.intellectual_property", None),
        put("safety.supply_chain", ""),
        put("safety.backup", None),
        put("model.annotation.tasks", []),
    )
    text, verdicts = _report(example)
    for clause in ("5.1-d", "5.2-b", "7-e", "7-i", "5.3-c"):
        assert verdicts[clause] == "待补充证据", clause
    assert verdicts["7-f"] == "符合"
    assert "待补充证据 5 条" in text
    assert "评估结论为：不符合" in text
    assert "均安排不同人员审核" not in text


def test_ip_duties_need_the_field_and_the_agreements_clause(example: Path) -> None:
    """5.2 b): the IP management the dossier states, and the agreement's IP clause."""
    _, verdicts = _report(example)
    assert verdicts["5.2-b"] == "符合"
    plant(example, edit_file("service_agreement.md", "## 九、知识产权", "## 九、其他约定"))
    text, verdicts = _report(example)
    assert verdicts["5.2-b"] == "不符合"
    assert "模型服务协议没有知识产权一节" in text


def test_registration_service_has_no_corpus_chapter(example: Path) -> None:
    plant(example, put("service.kind", "registration"))
    text, verdicts = _report(example)
    assert {v for k, v in verdicts.items() if k.startswith("5.")} == {"不适用"}
    assert "登记类服务调用已备案模型" in text


def test_quality_warnings_are_listed_not_failing(example: Path) -> None:
    from beian.findings import Finding, Severity

    r = check_dossier(example, now=NOW)
    log = r.context.assessment
    assert log is not None and not isinstance(log, Exception)
    near_dup = Finding(
        code="BA-BNK-008", severity=Severity.WARNING, clause="8.2", message="近似重复题目 3 组"
    )
    short = Finding(
        code="BA-LEX-001", severity=Severity.BLOCKING, clause="8.1 a)", message="关键词总数不足"
    )
    results = {c.item.id: c for c in assess_clauses(r.context, log, [*r.findings, near_dup, short])}
    assert results["8.2"].verdict == "符合"
    assert any("近似重复题目" in n for n in results["8.2"].notes)
    assert results["8.1"].verdict == "不符合"


def test_report_cites_the_edition_in_force_with_unverified_letters(example: Path) -> None:
    text, _ = _report(example)
    assert "GB/T 45654-2025" in text and "TC260-003 第5" not in text
    assert "5.1 a)[U]" in text
    assert "附录B 安全评估方法，条号未核实[U]（对应 TC260-003 §9.4）" in text
    r = check_dossier(example, now=NOW)
    assert all("[U]" in f.clause or ")" not in f.clause for f in r.findings)


def test_the_providers_remediation_is_reported_for_the_clause_it_names(example: Path) -> None:
    """§9.1 b) 2): the measures taken and the plan, with proof, beside the clause not met."""
    plant(
        example,
        put("safety.complaint.response_days", None),
        put(
            "remediation",
            [
                {
                    "clause": "7-f",
                    "measures_taken": "已在官网公布处理流程",
                    "plan": "公布反馈时限",
                    "deadline": "2027-01-31",
                    "proof": "官网截图",
                },
                {"clause": "6-b", "equivalent_measure": "不应出现", "proof": "x"},
            ],
        ),
    )
    text, verdicts = _report(example)
    assert verdicts["7-f"] == "不符合" and verdicts["6-b"] == "符合"
    assert (
        "提供者说明：已采取的措施：已在官网公布处理流程；整改计划：公布反馈时限；"
        "整改期限：2027-01-31；证明材料：官网截图" in text
    )
    assert "不应出现" not in text  # only clauses not met carry a remediation


def test_docx_figure_columns_do_not_wrap_but_their_headers_do(tmp_path: Path) -> None:
    """A figure column keeps each number on one line (LibreOffice breaks digits apart), but its
    header cell wraps: a header title is wider than its figures."""
    import docx
    from docx.oxml.ns import qn

    from beian.dossier.render._blocks import Document, Table
    from beian.dossier.render.docx import render_docx

    table = Table(
        ("判定方式", "观测合格率（评判器）", "校正后合格率区间"),
        (("关键词", "98.70%", "[97.10%, 99.40%]"), ("分类模型", "98.10%", "[96.00%, 99.20%]")),
        widths=(3, 1, 1),
        nowrap=(1, 2),
    )
    render_docx(Document("安全评估报告", blocks=[table]), tmp_path / "r.docx")
    (t,) = docx.Document(str(tmp_path / "r.docx")).tables
    nowrap = [
        [c._tc.tcPr is not None and c._tc.tcPr.find(qn("w:noWrap")) is not None for c in row.cells]
        for row in t.rows
    ]
    assert nowrap == [[False, False, False], [False, True, True], [False, True, True]]
