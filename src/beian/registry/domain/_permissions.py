"""Permissions and roles. Code checks permissions, never role names."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["REGISTRAR_ROLES", "ROLES", "ROLE_LABELS", "OrgKind", "Perm", "Role", "perms_of"]


class Perm(StrEnum):
    APPLY = "apply"  # create, submit and answer for one's own organization
    REVIEW = "review"  # review applications of one's province
    APPROVE = "approve"  # decide: publish notice, approve, reject, revoke
    INSPECT = "inspect"  # follow-up inspections
    READ_ALL = "read_all"  # read applications within one's scope
    READ_SENSITIVE = "read_sensitive"  # decrypt contact phones, ID numbers, addresses
    AUDIT = "audit"  # read and verify the audit log
    ADMIN = "admin"  # users, organizations, calendar, scheduler
    OBJECT = "object"  # raise an objection during public notice (everyone)


class Role(StrEnum):
    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    INSPECTOR = "inspector"
    AUDITOR = "auditor"
    ADMIN = "admin"


class OrgKind(StrEnum):
    PROVIDER = "provider"  # 服务提供者
    REGISTRAR = "registrar"  # 省级网信部门
    NATIONAL = "national"  # 国家网信部门（全部属地）


ROLE_LABELS = {
    Role.APPLICANT: "申请人",
    Role.REVIEWER: "审核员",
    Role.APPROVER: "审批人",
    Role.INSPECTOR: "检查员",
    Role.AUDITOR: "只读审计员",
    Role.ADMIN: "管理员",
}

ROLES: dict[Role, frozenset[Perm]] = {
    Role.APPLICANT: frozenset({Perm.APPLY, Perm.READ_SENSITIVE, Perm.OBJECT}),
    Role.REVIEWER: frozenset({Perm.REVIEW, Perm.READ_ALL, Perm.READ_SENSITIVE, Perm.OBJECT}),
    Role.APPROVER: frozenset({Perm.APPROVE, Perm.READ_ALL, Perm.READ_SENSITIVE, Perm.OBJECT}),
    Role.INSPECTOR: frozenset({Perm.INSPECT, Perm.READ_ALL, Perm.OBJECT}),
    Role.AUDITOR: frozenset({Perm.READ_ALL, Perm.AUDIT, Perm.OBJECT}),
    Role.ADMIN: frozenset({Perm.ADMIN, Perm.AUDIT, Perm.READ_ALL, Perm.OBJECT}),
}

# Roles acting for a registrar office: TOTP second factor is mandatory for them.
REGISTRAR_ROLES = frozenset({Role.REVIEWER, Role.APPROVER, Role.INSPECTOR, Role.AUDITOR,
                             Role.ADMIN})


def perms_of(role: Role | str) -> frozenset[Perm]:
    return ROLES[Role(role)]
