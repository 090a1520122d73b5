"""Loading a dossier and the context every check rule reads."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from beian._shared.workdays import DEFAULT_NOTICE_WORKING_DAYS, notice_working_days
from beian.dossier._schema import Dossier
from beian.errors import InputError
from beian.findings import Location
from beian.io import YamlPath, atomic_write_bytes, line_of, load_yaml_model, read_text
from beian.standards import Edition, load_edition

if TYPE_CHECKING:
    from beian.assess import AssessmentLog
    from beian.config import BeianConfig

DOSSIER_FILE = "dossier.yaml"
DEFAULT_ASSESSMENT_MAX_AGE_DAYS = 180


class DossierSettings(BaseModel):
    """The ``dossier`` section of ``beian.yaml``."""

    model_config = ConfigDict(extra="forbid")

    # how old an assessment log may be (a setting of this tool, not a figure of the standard)
    assessment_max_age_days: float = Field(DEFAULT_ASSESSMENT_MAX_AGE_DAYS, gt=0)


def dossier_file(path: str | Path) -> Path:
    """``DIR/dossier.yaml`` for a directory, or the file itself."""
    p = Path(path)
    if p.is_dir():
        p = p / DOSSIER_FILE
    if not p.is_file():
        raise InputError(
            "找不到备案材料文件 dossier.yaml",
            where=str(p),
            fix="请先运行 `beian init 目录` 生成模板，或给出包含 dossier.yaml 的目录",
        )
    return p


def load_dossier(path: str | Path) -> tuple[Dossier, dict[YamlPath, int], Path]:
    """Load and validate ``dossier.yaml``; returns the model, its line map and the file path."""
    p = dossier_file(path)
    dossier, lines = load_yaml_model(p, Dossier)
    return dossier, lines, p


@dataclass
class DossierContext:
    """What a rule sees: the dossier, where its fields are, the edition and the clock."""

    dossier: Dossier
    path: Path
    lines: dict[YamlPath, int]
    edition: Edition
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    settings: DossierSettings = field(default_factory=DossierSettings)
    notice_working_days: int = DEFAULT_NOTICE_WORKING_DAYS
    # a run's log about to replace ``attachments.assessment`` (``beian build --run``): the rules
    # read it instead of the file, which is written only when the build goes ahead
    staged: StagedAssessment | None = None

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        config: BeianConfig | None = None,
        now: dt.datetime | None = None,
    ) -> DossierContext:
        dossier, lines, p = load_dossier(path)
        notice_days = notice_working_days(config)  # first: it explains a retired dossier key
        if config is None:
            edition = load_edition(dossier.edition)
            settings = DossierSettings()
        else:
            edition = config.edition(dossier.edition)
            settings = config.section_model(
                "dossier", DossierSettings, what="dossier 配置无效：", fix="参见 docs/dossier.md"
            )
        return cls(
            dossier=dossier,
            path=p,
            lines=lines,
            edition=edition,
            now=now or dt.datetime.now(dt.UTC),
            settings=settings,
            notice_working_days=notice_days,
        )

    @property
    def root(self) -> Path:
        return self.path.parent

    def loc(self, *fld: str | int) -> Location:
        """A location for the field path ``fld`` (line of the field or its nearest parent)."""
        return Location(
            file=str(self.path),
            line=line_of(self.lines, fld),
            field=".".join(str(x) for x in fld) or None,
        )

    def attachment(self, name: str) -> Path | None:
        """The resolved path of attachment ``name`` (relative to the dossier), or None."""
        value = getattr(self.dossier.attachments, name)
        if not value:
            return None
        p = Path(value)
        return p if p.is_absolute() else self.root / p

    def attachment_exists(self, name: str) -> bool:
        """Whether attachment ``name`` is declared and its file exists (or is staged)."""
        p = self.attachment(name)
        if p is None:
            return False
        return p.exists() or (self.staged is not None and self.staged.target == p)

    def attachment_text(self, name: str) -> str | None:
        p = self.attachment(name)
        if p is None or not p.is_file():
            return None
        return read_text(p)[0]

    @functools.cached_property
    def assessment(self) -> AssessmentLog | InputError | None:
        """The assessment log, the error reading it, or None when none is declared or present."""
        from beian.assess import AssessmentLog

        p = self.attachment("assessment")
        if p is not None and self.staged is not None and self.staged.target == p:
            return self.staged.log
        if p is None or not p.exists():
            return None
        try:
            return AssessmentLog.load(p)
        except InputError as exc:
            return exc


@dataclass(frozen=True)
class StagedAssessment:
    """A run's assessment log, read and checked, not yet written over the dossier's copy."""

    target: Path  # the dossier's ``attachments.assessment``
    source: Path
    data: bytes  # the run's file, as read (once)
    log: AssessmentLog

    def commit(self) -> bool:
        """Write the log over the dossier's copy (atomically); False when it already is that file
        or holds the same bytes."""
        if self.target.resolve() == self.source.resolve():
            return False
        try:
            if self.target.is_file() and self.target.read_bytes() == self.data:
                return False
        except OSError:
            pass
        atomic_write_bytes(self.target, self.data)
        return True


def stage_assessment(
    ctx: DossierContext, run: str | Path, *, force: bool = False
) -> StagedAssessment:
    """Read a run's assessment log (``RUN/assessment.json``, or the file itself) for the dossier of
    ``ctx``: it must be readable and, unless ``force``, of the dossier's edition and model. Nothing
    is written; :meth:`StagedAssessment.commit` does that."""
    from beian.assess import LOG, AssessmentLog

    src = Path(run)
    if src.is_dir():
        src = src / LOG
    try:
        data = src.read_bytes()
    except OSError:
        raise InputError(
            "找不到或无法读取评估记录 assessment.json",
            where=str(src),
            fix="给出 `beian assess run` 的运行目录（其中有 assessment.json）",
        ) from None
    log = AssessmentLog.parse(data, where=str(src))  # a readable log, or what is wrong with it
    target = ctx.attachment("assessment")
    if target is None:
        raise InputError(
            "备案材料未声明评估记录（attachments.assessment）",
            where=f"{ctx.path}:{line_of(ctx.lines, ('attachments',)) or 1}",
            fix="在 dossier.yaml 的 attachments 下填写 assessment: assessment.json",
        )
    if not force:
        if log.edition != ctx.edition.id:
            raise InputError(
                f"评估运行按标准版本 {log.edition} 进行，备案材料使用 {ctx.edition.id}：不是本备案的评估",
                where=str(src),
                fix="按备案材料所用的标准版本重新评估，或给出正确的运行目录；确属本备案时加 --force-run",
            )
        model = (log.target or {}).get("model")
        expected = ctx.dossier.service.model_name
        if model and expected and str(model) != expected:
            raise InputError(
                f"评估运行的模型为 {model}，备案材料的模型为 {expected}（service.model_name）：不是本备案的评估",
                where=str(src),
                fix="给出评估本服务模型的运行目录，或修改 service.model_name；确属本备案时加 --force-run",
            )
    return StagedAssessment(target=target, source=src, data=data, log=log)


def attach_assessment(directory: str | Path, run: str | Path, *, force: bool = False) -> Path:
    """Copy a run's assessment log over the dossier's ``attachments.assessment``, so the package
    states the run as it is now (human verdicts and calibration included). Returns the dossier's
    copy."""
    staged = stage_assessment(DossierContext.load(directory), run, force=force)
    staged.commit()
    return staged.target
