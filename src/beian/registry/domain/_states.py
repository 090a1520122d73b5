"""The filing lifecycle as an explicit transition table, for two processes.

``seed``: the process the project's seed describes — provincial review, a 7-working-day public
notice with objections, then filing. ``cac``: the CAC's practice — 属地 office first review,
then national review, the number issued on national approval, no pre-filing notice or
objection; filed services published afterwards in lists. Rows for one process only name it
in ``processes``.

Each :class:`Transition` names an action, the states it may start from, the state it leads to,
the permission an actor needs, and its guards (a note required, materials attached, a deadline
started). The table is data: the service, the API, the web UI and the tests all read it, so a
new step in the process is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from beian.registry.domain._permissions import Perm

__all__ = [
    "PROCESSES", "STATE_LABELS", "TRANSITIONS", "Deadline", "Kind", "Process", "State",
    "Transition", "actions_from", "transition_for",
]


class Kind(StrEnum):
    FILING = "filing"  # 备案: self-developed or fine-tuned models
    REGISTRATION = "registration"  # 登记: apps calling an already-filed model


class Process(StrEnum):
    SEED = "seed"  # the seed's: provincial review → public notice with objections → filing
    CAC = "cac"  # the CAC's: 属地 first review → national review → filing → published lists


PROCESSES = {Process.SEED: "种子流程（省级审核 → 公示 7 个工作日、受理异议 → 备案）",
             Process.CAC: "网信办实际流程（属地初审 → 国家复审 → 备案，事后分批公布）"}


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    NATIONAL_REVIEW = "national_review"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    APPROVED_FOR_NOTICE = "approved_for_notice"
    IN_PUBLIC_NOTICE = "in_public_notice"
    OBJECTION_RAISED = "objection_raised"
    OBJECTION_REVIEW = "objection_review"
    FILED = "filed"
    REGISTERED = "registered"
    CHANGE_PENDING = "change_pending"
    RENEWAL_DUE = "renewal_due"
    INSPECTION_OPEN = "inspection_open"
    RECTIFICATION_REQUIRED = "rectification_required"
    REVOKED = "revoked"
    DEREGISTERED = "deregistered"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[State, str] = {
    State.DRAFT: "草稿",
    State.SUBMITTED: "已提交",
    State.UNDER_REVIEW: "审核中",
    State.NATIONAL_REVIEW: "国家复审中",
    State.SUPPLEMENT_REQUESTED: "待补正",
    State.APPROVED_FOR_NOTICE: "拟公示",
    State.IN_PUBLIC_NOTICE: "公示中",
    State.OBJECTION_RAISED: "收到异议",
    State.OBJECTION_REVIEW: "异议复核中",
    State.FILED: "已备案",
    State.REGISTERED: "已登记",
    State.CHANGE_PENDING: "变更审核中",
    State.RENEWAL_DUE: "待续期",
    State.INSPECTION_OPEN: "检查中",
    State.RECTIFICATION_REQUIRED: "待整改",
    State.REVOKED: "已撤销",
    State.DEREGISTERED: "已注销",
    State.REJECTED: "未通过",
    State.WITHDRAWN: "已撤回",
}


class Deadline(StrEnum):
    """Deadlines a transition starts; their length in working days is registry policy."""

    SUPPLEMENT = "supplement_due"
    NOTICE = "notice_end"
    INSPECTION = "inspection_due"
    RECTIFICATION = "rectification_due"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[State]
    target: State
    perm: Perm
    kinds: frozenset[Kind] = frozenset({Kind.FILING, Kind.REGISTRATION})
    note_required: bool = False
    materials_required: bool = False
    starts: Deadline | None = None  # deadline set when entering the target state
    system: bool = False  # run by the scheduler (`registry tick`), not offered as a button
    public: bool = False  # may be taken by anyone
    screening: bool = False  # taken by accepting one objection (not a button of its own)
    processes: frozenset[Process] = frozenset(Process)
    national: bool = False  # only a national office's account may take it


_SEED = frozenset({Process.SEED})
_CAC = frozenset({Process.CAC})
_F = frozenset({Kind.FILING})
_R = frozenset({Kind.REGISTRATION})
_S = State
_LIVE = frozenset({_S.FILED, _S.CHANGE_PENDING, _S.RENEWAL_DUE, _S.INSPECTION_OPEN,
                   _S.RECTIFICATION_REQUIRED})


def _t(action: str, label: str, sources: set[State] | frozenset[State], target: State, perm: Perm,
       **kw: object) -> Transition:
    return Transition(action, label, frozenset(sources), target, perm, **kw)  # type: ignore[arg-type]


TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", "提交申请", {_S.DRAFT}, _S.SUBMITTED, Perm.APPLY, materials_required=True),
    _t("withdraw", "撤回申请", {_S.DRAFT, _S.SUBMITTED, _S.SUPPLEMENT_REQUESTED}, _S.WITHDRAWN,
       Perm.APPLY, note_required=True),
    _t("start_review", "开始审核", {_S.SUBMITTED}, _S.UNDER_REVIEW, Perm.REVIEW),
    _t("request_supplement", "要求补正", {_S.UNDER_REVIEW}, _S.SUPPLEMENT_REQUESTED,
       Perm.REVIEW, note_required=True, starts=Deadline.SUPPLEMENT),
    _t("answer_supplement", "提交补正材料", {_S.SUPPLEMENT_REQUESTED}, _S.UNDER_REVIEW,
       Perm.APPLY, note_required=True, materials_required=True),
    _t("recommend", "审核通过，拟公示", {_S.UNDER_REVIEW}, _S.APPROVED_FOR_NOTICE, Perm.REVIEW,
       note_required=True, kinds=_F, processes=_SEED),
    _t("publish_notice", "发布公示", {_S.APPROVED_FOR_NOTICE}, _S.IN_PUBLIC_NOTICE, Perm.APPROVE,
       starts=Deadline.NOTICE, kinds=_F, processes=_SEED),
    # A public objection waits in a queue (待甄别) and changes nothing by itself; a reviewer
    # accepts it (only then does review reopen) or declines it as unfounded or abusive.
    _t("accept_objection", "受理异议，转入复核", {_S.IN_PUBLIC_NOTICE}, _S.OBJECTION_REVIEW,
       Perm.REVIEW, note_required=True, screening=True, kinds=_F, processes=_SEED),
    # OBJECTION_RAISED: objections raised before the queue existed (they moved the state)
    _t("start_objection_review", "受理异议", {_S.OBJECTION_RAISED}, _S.OBJECTION_REVIEW,
       Perm.REVIEW, kinds=_F, processes=_SEED),
    _t("dismiss_objection", "驳回异议，继续公示", {_S.OBJECTION_REVIEW}, _S.IN_PUBLIC_NOTICE,
       Perm.APPROVE, note_required=True, kinds=_F, processes=_SEED),
    _t("uphold_objection", "异议成立，退回审核", {_S.OBJECTION_REVIEW}, _S.UNDER_REVIEW,
       Perm.APPROVE, note_required=True, kinds=_F, processes=_SEED),
    _t("file", "公示期满，予以备案", {_S.IN_PUBLIC_NOTICE}, _S.FILED, Perm.APPROVE,
       system=True, kinds=_F, processes=_SEED),
    # the CAC's two stages (filings): 属地 first review, then national review and the number
    _t("recommend_national", "初审通过，报国家复审", {_S.UNDER_REVIEW}, _S.NATIONAL_REVIEW,
       Perm.REVIEW, note_required=True, kinds=_F, processes=_CAC),
    _t("approve_national", "复审通过，予以备案", {_S.NATIONAL_REVIEW}, _S.FILED, Perm.APPROVE,
       note_required=True, kinds=_F, processes=_CAC, national=True),
    _t("return_to_province", "退回属地重审", {_S.NATIONAL_REVIEW}, _S.UNDER_REVIEW, Perm.APPROVE,
       note_required=True, kinds=_F, processes=_CAC, national=True),
    _t("approve_registration", "准予登记", {_S.UNDER_REVIEW}, _S.REGISTERED, Perm.APPROVE,
       note_required=True, kinds=_R),
    _t("reject", "不予通过", {_S.UNDER_REVIEW, _S.APPROVED_FOR_NOTICE, _S.OBJECTION_REVIEW,
                              _S.NATIONAL_REVIEW},
       _S.REJECTED, Perm.APPROVE, note_required=True),
    _t("open_inspection", "启动检查", _LIVE - {_S.INSPECTION_OPEN, _S.RECTIFICATION_REQUIRED}
       | {_S.REGISTERED}, _S.INSPECTION_OPEN, Perm.INSPECT, note_required=True,
       starts=Deadline.INSPECTION),
    _t("request_rectification", "责令整改", {_S.INSPECTION_OPEN}, _S.RECTIFICATION_REQUIRED,
       Perm.INSPECT, note_required=True, starts=Deadline.RECTIFICATION),
    _t("submit_rectification", "提交整改报告", {_S.RECTIFICATION_REQUIRED}, _S.INSPECTION_OPEN,
       Perm.APPLY, note_required=True, materials_required=True),
    _t("close_inspection", "检查结束（已备案）", {_S.INSPECTION_OPEN}, _S.FILED, Perm.INSPECT,
       note_required=True, kinds=_F),
    _t("close_registration_inspection", "检查结束（已登记）", {_S.INSPECTION_OPEN},
       _S.REGISTERED, Perm.INSPECT, note_required=True, kinds=_R),
    _t("request_change", "申请变更", {_S.FILED}, _S.CHANGE_PENDING, Perm.APPLY,
       note_required=True, materials_required=True, kinds=_F),
    _t("approve_change", "批准变更", {_S.CHANGE_PENDING}, _S.FILED, Perm.APPROVE,
       note_required=True, kinds=_F),
    _t("mark_renewal_due", "通知续期", {_S.FILED}, _S.RENEWAL_DUE, Perm.APPROVE,
       note_required=True, kinds=_F),
    _t("renew", "准予续期", {_S.RENEWAL_DUE}, _S.FILED, Perm.APPROVE, note_required=True,
       kinds=_F),
    _t("revoke", "撤销备案", _LIVE | {_S.REGISTERED}, _S.REVOKED, Perm.APPROVE,
       note_required=True),
    _t("deregister", "申请注销", {_S.FILED, _S.REGISTERED}, _S.DEREGISTERED, Perm.APPLY,
       note_required=True),
)

_BY_ACTION: dict[str, list[Transition]] = {}
for _tr in TRANSITIONS:
    _BY_ACTION.setdefault(_tr.action, []).append(_tr)


def transition_for(action: str, kind: Kind, state: State,
                   process: Process = Process.SEED) -> Transition | None:
    """The row of the table for ``action`` on an application of ``kind`` in ``state``."""
    for tr in _BY_ACTION.get(action, ()):
        if kind in tr.kinds and state in tr.sources and process in tr.processes:
            return tr
    return None


def actions_from(kind: Kind, state: State, process: Process = Process.SEED) -> list[Transition]:
    """Every row that may start from ``state`` for ``kind`` (buttons to offer)."""
    return [tr for tr in TRANSITIONS
            if kind in tr.kinds and state in tr.sources and process in tr.processes]
