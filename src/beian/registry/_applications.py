"""Applications: intake of a filing package, reading, materials, the reviewer checklist."""

from __future__ import annotations

import datetime as dt
import functools
import io
import uuid
from collections.abc import Sequence
from typing import IO, Any

from sqlalchemy import Connection, Integer, Row, bindparam, func, insert, select
from sqlalchemy.orm import Session

from beian.errors import InputError
from beian.findings import Severity, has_blocking
from beian.registry._auth import Actor
from beian.registry._core import SENSITIVE_FIELDS, Core, ScopedRead
from beian.registry._errors import Conflict, Forbidden, NotFound
from beian.registry._objections import OBJECTION_LABELS
from beian.registry._package import Package, read_package
from beian.registry.db import (
    Application,
    ChecklistItem,
    Event,
    Material,
    Objection,
    Organization,
)
from beian.registry.domain import (
    STATE_LABELS,
    Kind,
    OrgKind,
    Perm,
    State,
    actions_from,
    canonical_province,
    filing_number,
    registration_number,
)
from beian.standards import DEFAULT_EDITION

__all__ = ["Applications", "app_view"]

_CHECK_STATUS = ("open", "ok", "issue")
_ANY_DAY = dt.date(2000, 1, 1)


DRAFT_WARNING = "草稿材料包：提交时存在未解决的阻断级问题（见材料包 findings.json），不应据此作出备案决定"


@functools.cache
def _editions() -> tuple[str, ...]:
    """The editions shipped with the package (package data: read once per process, not on
    every application a list shows)."""
    from beian.standards import list_editions

    return tuple(list_editions())


@functools.cache
def _edition_warning(edition: str, in_force: str) -> tuple[str, ...]:
    """The warning for a package of ``edition`` (none for the edition in force or an unknown
    one): the same few pairs on every application a list shows, so worked out once."""
    from beian.standards import load_edition

    if edition == in_force or edition not in _editions():
        return ()
    used, now = load_edition(edition), load_edition(in_force)
    return (f"材料包依据 {used.short}（{used.id}），现行标准为 {now.short}（{now.id}）",)


# the columns of an application its views show, in the order of the view's keys (plain rows:
# the busiest reads build their answers without ORM objects)
_VIEW_COLUMNS = (
    "draft", "public_id", "kind", "state", "province", "provider_name", "provider_uscc",
    "service_name", "model_name", "edition", "tool", "number", "filed_on", "notice_start",
    "notice_end", "supplement_due", "inspection_due", "rectification_due", "created_at",
    "contact_name")
_VIEW_KEYS = tuple("id" if c == "public_id" else c for c in _VIEW_COLUMNS)
_VIEW = select(*(Application.__table__.c[c] for c in _VIEW_COLUMNS))
_ONE = ScopedRead(_VIEW.where(Application.public_id == bindparam("public_id")))
_ID = ScopedRead(select(Application.id).where(Application.public_id == bindparam("public_id")))
_IN_STATE = Application.state == bindparam("state")
_COUNT = ScopedRead(select(func.count()).select_from(Application))
_COUNT_IN = ScopedRead(select(func.count()).select_from(Application).where(_IN_STATE))
_EVENTS = (select(Event.seq, Event.at, Event.actor, Event.action, Event.from_state,
                  Event.to_state, Event.note, Event.materials_sha256)
           .where(Event.application_id == bindparam("app")).order_by(Event.seq))
_STATE_LABELS = {s.value: label for s, label in STATE_LABELS.items()}


@functools.cache
def _list_read(in_state: bool, paged: bool, after_cursor: bool) -> ScopedRead:
    """The list's statement, newest first (``id`` is unique, so the order is total and a page
    boundary never splits ties): in one state or all, a page (``LIMIT``/``OFFSET``) or every
    row, below a cursor (``id < :cursor``, keyset paging) or from the top. Built once each."""
    stmt = _VIEW
    if in_state:
        stmt = stmt.where(_IN_STATE)
    if after_cursor:
        stmt = stmt.where(Application.id < bindparam("cursor", type_=Integer))
    stmt = stmt.order_by(Application.id.desc())
    if paged:
        stmt = stmt.limit(bindparam("limit", type_=Integer)).offset(
            bindparam("offset", type_=Integer))
    return ScopedRead(stmt)


# the view's first four columns are draft, id, kind, state; the rest follow in their order
assert _VIEW_KEYS[:4] == ("draft", "id", "kind", "state"), "app_view reads these by position"
_REST_KEYS = _VIEW_KEYS[4:]
_EDITION = _VIEW_KEYS.index("edition")


def app_view(row: Sequence[Any], in_force: str = DEFAULT_EDITION) -> dict[str, Any]:
    """The fields any reader in scope may see (never the sensitive ones), with the warnings a
    reviewer must see (a draft package; an edition other than the one in force), from a row
    of the view's columns."""
    draft, public_id, kind, state = row[:4]
    warnings = [*((DRAFT_WARNING,) if draft else ()), *_edition_warning(row[_EDITION], in_force)]
    # the keys in the order of the API's ``AppOut``
    view = {"id": public_id, "draft": draft, "warnings": warnings, "kind": kind, "state": state,
            "state_label": _STATE_LABELS[state]}
    view.update(zip(_REST_KEYS, row[4:], strict=True))
    return view


def _event_view(e: Sequence[Any], *, redact: bool) -> dict[str, Any]:
    """One event; who objected and why stays with the registrar (as ``/objections`` does)."""
    seq, at, actor, action, from_state, to_state, note, materials = e
    public = redact and actor.startswith("公众")
    return {"seq": seq, "at": at, "actor": "公众" if public else actor, "action": action,
            "from": from_state, "to": to_state,
            "note": "（异议内容仅网信部门可见）" if public else note,
            "materials_sha256": materials}


def _material_name(name: str) -> None:
    """A supplementary file's name: a plain file name, no path, no control characters."""
    bad = (not name or len(name) > 200 or name in (".", "..") or any(c in name for c in "/\\")
           or any(ord(c) < 32 or ord(c) == 127 for c in name))
    if bad:
        raise InputError("材料文件名不合规", where=name[:200],
                         fix="只用文件名（不含路径与控制字符），不超过 200 字")


def _numberable(kind: str, model_name: str, service_name: str, province: str) -> None:
    """Refuse at intake a name the filing or registration number could not be formed from, or
    whose number would not fit its column (the same on SQLite and PostgreSQL)."""
    is_filing = kind == Kind.FILING.value
    name = model_name if is_filing else service_name
    field = "service.model_name" if is_filing else "service.name"
    make = filing_number if is_filing else registration_number
    try:
        number = make(province, name, _ANY_DAY, 1)  # date and serial have fixed widths
    except InputError:
        raise InputError(f"名称 {name[:80]!r} 无法转写为备案号", where=f"manifest.json:{field}",
                         fix="名称应含汉字、拉丁字母或数字（编号由其拼音或字母组成）") from None
    limit = Application.number.type.length or len(number)
    if len(number) > limit:
        raise InputError(f"名称 {name[:80]!r} 转写后的编号超过 {limit} 个字符",
                         where=f"manifest.json:{field}",
                         fix="请缩短名称（编号由名称的拼音或字母组成）")


def _known_edition(edition: str) -> None:
    if edition not in _editions():
        raise InputError(f"材料包的标准版本 {edition[:60]!r} 不受支持", where="manifest.json:edition",
                         fix="可用版本：" + "、".join(_editions()) + "；请用 `beian build` 重新生成")


def _size(package_zip: bytes | IO[bytes]) -> int:
    if isinstance(package_zip, bytes | bytearray):
        return len(package_zip)
    size = package_zip.seek(0, io.SEEK_END)
    package_zip.seek(0)
    return size


_ITEM_DEFAULTS = {"detail": "", "severity": "", "status": "open", "reviewer_note": ""}


def _prefill(edition_id: str, kind: Kind, pkg: Package) -> list[dict[str, Any]]:
    """The checklist an application starts with, as rows of ``checklist_items`` (inserted at
    once: a package brings some forty)."""
    from beian.standards import load_edition

    items: list[dict[str, Any]] = []
    if kind is Kind.FILING:
        mats = load_edition(edition_id).materials
        present = {k for _, k in pkg.files.values()}
        wanted = [("filing_form", mats.form_name)] + [(a.id, a.name) for a in mats.attachments]
        for mid, name in wanted:
            ok = mid in present
            items.append(dict(aspect="completeness", source="package", code=mid,
                              title=f"材料：{name}", status="ok" if ok else "issue",
                              detail="已随材料包提交" if ok else "材料包中缺少此项"))
    for f in pkg.findings:
        items.append(dict(
            aspect="compliance", source="finding", code=f.code, title=f.message,
            severity=f.severity.value, detail=f"条款 {f.clause}；{f.fix or ''}",
            status="issue" if f.severity is Severity.BLOCKING else "open"))
    for r in pkg.assessment.results if pkg.assessment else []:
        items.append(dict(
            aspect="feasibility", source="assessment", code=r.item,
            title=f"评估项 {r.title}：{r.rate_name} {r.rate:.2%}（n={r.n}，"
                  f"95% 置信区间 {r.ci_low:.2%}–{r.ci_high:.2%}，阈值 {r.threshold:.0%}）",
            detail=f"结论：{r.verdict}", status="ok" if r.verdict == "符合" else "open"))
    items.append(dict(aspect="feasibility", source="review", code="test-access",
                      title="技术可行性：测试账号与接口可用", status="open"))
    # one set of columns for all (the columns' defaults where an item has no value): one
    # multi-row insert, the items keeping their order
    return [{**_ITEM_DEFAULTS, **item} for item in items]


class Applications:
    """Intake, reading, materials and the reviewer checklist (``registry.applications``)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    @staticmethod
    def preload() -> None:
        """Load what the first intake needs (the pinyin tables numbers are made from, the
        assessment log's model): about a second of CPU on a small machine, paid when the
        server starts rather than by the first uploads and everyone waiting behind them."""
        import beian.assess  # noqa: F401  (the package intake parses assessment.json with)

        filing_number(canonical_province("北京"), "预热", _ANY_DAY, 1)

    def _store(self, db: Session, app: Application, rnd: int, actor: Actor,
               files: dict[str, tuple[bytes, str]],
               digests: dict[str, str] | None = None) -> None:
        for path, (data, kind) in sorted(files.items()):
            digest, media = self._core.blobs.put(path, data, sha256=(digests or {}).get(path))
            db.add(Material(application_id=app.id, round=rnd, path=path, sha256=digest,
                            size=len(data), kind=kind, media_type=media,
                            uploaded_by=actor.username))

    def create(self, actor: Actor, package_zip: bytes | IO[bytes],
                           contact: dict[str, str] | None = None) -> str:
        """Intake a zipped package as a draft; returns the application id. ``package_zip``:
        the zip's bytes or a seekable file holding them (an upload as spooled to disk)."""
        if not actor.can(Perm.APPLY) or actor.org_kind is not OrgKind.PROVIDER:
            raise Forbidden("只有服务提供者的申请人可以提交材料", fix="请用申请人账号登录")
        if _size(package_zip) > self._core.policy.max_package_bytes:
            raise InputError("材料包过大", where="package",
                             fix=f"上限 {self._core.policy.max_package_bytes} 字节；请压缩或拆分材料")
        policy = self._core.policy
        pkg = read_package(package_zip, max_bytes=policy.max_package_bytes,
                           max_entries=policy.max_package_entries,
                           max_ratio=policy.max_compression_ratio,
                           max_file_bytes=policy.max_file_bytes)
        m = pkg.manifest
        province = canonical_province(m.provider.province)
        _numberable(m.service.kind, m.service.model_name, m.service.name, province)
        _known_edition(m.edition)
        # a package is a draft when it says so or when it carries a blocking finding
        draft = m.draft or has_blocking(pkg.findings)
        if draft and not policy.accept_draft_packages:
            raise InputError(
                "材料包为草稿：存在未解决的阻断级问题，不予受理",
                where="manifest.json:draft",
                fix="解决 findings.json 中的阻断级问题后用 `beian build` 重新生成材料包；"
                "本机构如允许受理草稿，在 beian.yaml 设置 registry.policy.accept_draft_packages: true",
            )
        if actor.province and province != canonical_province(actor.province):
            raise InputError("材料包的属地与申请人机构不符", where="manifest.json:provider.province",
                             fix=f"本机构属地为 {actor.province}")
        contact = {k: v for k, v in (contact or {}).items() if v}
        pid = uuid.uuid4().hex
        with self._core.tx() as db:
            org = db.get(Organization, actor.org_id)
            assert org is not None
            # the provider is the applicant's organisation, never what the package says
            if not org.uscc:
                raise InputError("申请人机构未登记统一社会信用代码，不能受理", where=f"机构 {org.name}",
                                 fix="请管理员为本机构登记统一社会信用代码后再提交")
            if m.provider.uscc != org.uscc:
                raise InputError("材料包的统一社会信用代码与申请人机构不符",
                                 where="manifest.json:provider.uscc", fix=f"本机构为 {org.uscc}")
            app = Application(
                public_id=pid, kind=m.service.kind, state=State.DRAFT.value, org_id=actor.org_id,
                province=province, provider_name=org.name,
                provider_uscc=org.uscc, service_name=m.service.name,
                model_name=m.service.model_name, edition=m.edition, tool=m.tool, draft=draft,
                contact_name=contact.get("contact_name"),
                **{f: self._core.seal(pid, f, contact.get(f)) for f in SENSITIVE_FIELDS})
            db.add(app)
            db.flush()
            self._store(db, app, 1, actor, pkg.files, pkg.digests)
            items = _prefill(m.edition, Kind(m.service.kind), pkg)
            db.execute(insert(ChecklistItem), [{**i, "application_id": app.id} for i in items])
            self._core.audit(db, actor, "application.create", f"app:{pid}", files=len(pkg.files),
                       sensitive=sorted(contact))
        return pid

    def add_materials(self, actor: Actor, public_id: str,
                      files: list[tuple[str, bytes]]) -> int:
        """Attach supplement / rectification / change materials; returns the round number."""
        if not files:
            raise InputError("没有上传任何文件", where="files", fix="请选择要提交的材料")
        for name, _ in files:
            _material_name(name)
        with self._core.tx() as db:
            app = self._core.load_app(db, actor, public_id)
            if not actor.can(Perm.APPLY) or app.org_id != actor.org_id:
                raise Forbidden("只有本单位申请人可以补充材料", fix="请用申请人账号登录")
            if app.state in (State.REVOKED, State.DEREGISTERED, State.REJECTED, State.WITHDRAWN):
                raise Conflict("该申请已结束，不能再补充材料", where=public_id, fix="请新建申请")
            rnd = 1 + max(m.round for m in db.scalars(
                select(Material).where(Material.application_id == app.id)))
            self._store(db, app, rnd, actor, {n: (d, "supplement") for n, d in files})
            self._core.audit(db, actor, "materials.add", f"app:{public_id}", round=rnd,
                       files=[n for n, _ in files])
            return rnd

    def list_for(self, actor: Actor, state: str | None = None, *, limit: int | None = None,
                 offset: int = 0, before: str | None = None) -> list[dict[str, Any]]:
        """The applications ``actor`` may see (in ``state`` if given), newest first: all of
        them, or ``limit`` of them from ``offset`` (``LIMIT``/``OFFSET`` in SQL). ``before``
        (an application id, normally the last one of the page read before) starts the list
        below that application (keyset paging): rows added or submitted meanwhile never shift
        the pages that follow, which offsets alone do."""
        with self._core.rows() as conn:
            rows = self._list(conn, actor, state, limit, offset, before)
        edition = self._core.settings.edition
        return [app_view(a, edition) for a in rows]

    def count_for(self, actor: Actor, state: str | None = None) -> int:
        """How many applications :meth:`list_for` would give ``actor`` in all (one
        ``COUNT(*)`` in the same scope)."""
        with self._core.rows() as conn:
            return self._count(conn, actor, state)

    def page_for(self, actor: Actor, state: str | None = None, *, limit: int, offset: int = 0,
                 before: str | None = None) -> tuple[list[dict[str, Any]], int]:
        """:meth:`list_for` and :meth:`count_for` in one read transaction: the page and the
        total as of the same moment."""
        with self._core.rows() as conn:
            rows = self._list(conn, actor, state, limit, offset, before)
            total = self._count(conn, actor, state)
        edition = self._core.settings.edition
        return [app_view(a, edition) for a in rows], total

    @staticmethod
    def _list(conn: Connection, actor: Actor, state: str | None, limit: int | None,
              offset: int, before: str | None) -> Sequence[Row[Any]]:
        if (limit is not None and limit < 1) or offset < 0 or (offset and limit is None):
            raise InputError("分页参数无效", where="limit/offset",
                             fix="limit 至少为 1；offset 不能为负数，且须与 limit 一起使用")
        params: dict[str, Any] = {"state": State(state).value} if state else {}
        if limit is not None:
            params.update(limit=limit, offset=offset)
        if before is not None:
            try:
                params["cursor"] = _ID.one(conn, actor, before).id
            except NotFound:
                raise InputError("分页游标指向的申请不存在或无权查看", where="before",
                                 fix="请从第一页重新读取，或使用上一页响应 Link 头中的链接"
                                 ) from None
        read = _list_read(bool(state), limit is not None, before is not None)
        return read.rows(conn, actor, **params).all()  # one fetch, not one per row

    @staticmethod
    def _count(conn: Connection, actor: Actor, state: str | None) -> int:
        if state:
            return int(_COUNT_IN.rows(conn, actor, state=State(state).value).scalar_one())
        return int(_COUNT.rows(conn, actor).scalar_one())

    def get(self, actor: Actor, public_id: str) -> dict[str, Any]:
        with self._core.rows() as conn:
            app = _ONE.one(conn, actor, public_id)
            view = app_view(app, self._core.settings.edition)
            view["actions"] = [
                {"action": t.action, "label": t.label, "note_required": t.note_required,
                 "materials_required": t.materials_required}
                for t in actions_from(Kind(app.kind), State(app.state), self._core.policy.process)
                if not (t.system or t.public or t.screening) and actor.can(t.perm)]
            return view

    def contact(self, actor: Actor, public_id: str) -> dict[str, str | None]:
        """Decrypt the sensitive fields; every read is audited."""
        if not actor.can(Perm.READ_SENSITIVE):
            raise Forbidden("无权查看联系人敏感信息", fix="需要 read_sensitive 权限")
        with self._core.tx() as db:
            app = self._core.load_app(db, actor, public_id)
            out = {f: self._core.unseal(app.public_id, f, getattr(app, f))
                   for f in SENSITIVE_FIELDS}
            self._core.audit(db, actor, "sensitive.read", f"app:{public_id}", fields=list(out))
            return {"contact_name": app.contact_name, **out}

    def materials(self, actor: Actor, public_id: str) -> list[dict[str, Any]]:
        with self._core.read() as db:
            app = self._core.load_app(db, actor, public_id)
            return [{"round": m.round, "path": m.path, "sha256": m.sha256, "size": m.size,
                     "kind": m.kind, "media_type": m.media_type, "uploaded_by": m.uploaded_by,
                     "uploaded_at": m.uploaded_at}
                    for m in db.scalars(select(Material).where(Material.application_id == app.id)
                                        .order_by(Material.round, Material.path))]

    def material(self, actor: Actor, public_id: str, sha256: str) -> tuple[bytes, str, str]:
        with self._core.tx() as db:
            app = self._core.load_app(db, actor, public_id)
            m = db.scalar(select(Material).where(Material.application_id == app.id,
                                                 Material.sha256 == sha256))
            if m is None:
                raise NotFound("材料不存在", where=sha256, fix="请检查哈希")
            self._core.audit(db, actor, "material.read", f"app:{public_id}", sha256=sha256)
            return self._core.blobs.get(sha256), m.media_type, m.path

    def events(self, actor: Actor, public_id: str) -> list[dict[str, Any]]:
        with self._core.rows() as conn:
            app = _ID.one(conn, actor, public_id)
            rows = conn.execute(_EVENTS, {"app": app.id})
            redact = not actor.can(Perm.READ_ALL)
            return [_event_view(e, redact=redact) for e in rows]

    def checklist(self, actor: Actor, public_id: str) -> list[dict[str, Any]]:
        with self._core.read() as db:
            app = self._core.load_app(db, actor, public_id)
            return [{"id": c.id, "aspect": c.aspect, "source": c.source, "code": c.code,
                     "title": c.title, "detail": c.detail, "severity": c.severity,
                     "status": c.status, "reviewer_note": c.reviewer_note}
                    for c in db.scalars(select(ChecklistItem).where(
                        ChecklistItem.application_id == app.id).order_by(ChecklistItem.id))]

    def set_check(self, actor: Actor, public_id: str, item_id: int, status: str,
                  note: str = "") -> None:
        if not actor.can(Perm.REVIEW):
            raise Forbidden("只有审核员可以填写审核清单", fix="请用审核员账号登录")
        if status not in _CHECK_STATUS:
            raise InputError(f"无效的状态 {status!r}", where="status", fix="open / ok / issue")
        with self._core.tx() as db:
            app = self._core.load_app(db, actor, public_id)
            if app.state != State.UNDER_REVIEW:
                raise Conflict("只有审核中的申请可以填写清单", where=public_id, fix="请先开始审核")
            item = db.get(ChecklistItem, item_id)
            if item is None or item.application_id != app.id:
                raise NotFound("清单项不存在", where=str(item_id), fix="请刷新页面")
            item.status, item.reviewer_note = status, note
            self._core.audit(db, actor, "checklist.set", f"app:{public_id}", item=item_id,
                       status=status, note=note)

    def objections(self, actor: Actor, public_id: str) -> list[dict[str, Any]]:
        with self._core.read() as db:
            app = self._core.load_app(db, actor, public_id)
            if not actor.can(Perm.READ_ALL):
                raise Forbidden("只有网信部门可以查看异议", fix="请用审核员账号登录")
            return [{"id": o.id, "at": o.at, "name": o.name, "text": o.text, "status": o.status,
                     "status_label": OBJECTION_LABELS.get(o.status, o.status),
                     "decision_note": o.decision_note}
                    for o in db.scalars(select(Objection).where(
                        Objection.application_id == app.id).order_by(Objection.id))]
