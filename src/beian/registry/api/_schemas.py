"""Request and response bodies of the REST API (they make the OpenAPI spec precise)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from beian.registry.domain import Kind, OrgKind, Role, State

__all__ = [
    "ActionIn",
    "AppOut",
    "CalendarIn",
    "CheckIn",
    "LoginIn",
    "LoginOut",
    "ObjectionIn",
    "OrgIn",
    "PasswordIn",
    "PublicOut",
    "ResetIn",
    "ScreenIn",
    "TickIn",
    "UserIn",
]

Name = Field(min_length=1, max_length=80)


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)
    totp: str | None = Field(None, max_length=10)
    device: str | None = Field(None, max_length=100,
                               description="上次登录返回的设备令牌：他人的失败尝试不会让本设备等待")


class Me(BaseModel):
    username: str
    role: Role
    org: str
    org_kind: OrgKind
    province: str | None
    permissions: list[str]


class LoginOut(BaseModel):
    token: str
    csrf: str
    user: Me
    device: str = Field(description="设备令牌，下次登录时放入 device 字段")


class PasswordIn(BaseModel):
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class ResetIn(BaseModel):
    reset_totp: bool = Field(False, description="同时生成新的动态口令密钥")


class ActionIn(BaseModel):
    note: str = Field("", max_length=5000)
    effective: dt.date | None = Field(None, description="申请变更、申请注销：变更发生或停止服务的日期")


class CheckIn(BaseModel):
    status: str = Field(pattern="^(open|ok|issue)$")
    note: str = Field("", max_length=5000)


class ScreenIn(BaseModel):
    accept: bool = Field(description="true 受理（转入异议复核）；false 不予受理")
    note: str = Field(min_length=1, max_length=5000, description="理由")


class ObjectionIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=5000)
    contact: str | None = Field(None, max_length=200)


class OrgIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrgKind
    province: str | None = Field(None, max_length=40)
    uscc: str | None = Field(None, max_length=18)


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")
    role: Role
    org_id: int = Field(ge=1, le=2**31 - 1)
    password: str | None = Field(None, min_length=1, max_length=200)
    display_name: str | None = Field(None, max_length=120)


class TickIn(BaseModel):
    date: dt.date | None = Field(None, description="按此日期处理到期事项（默认今天）")


class CalendarIn(BaseModel):
    year: int = Field(ge=1990, le=2200)
    source: str = Field("", max_length=500)
    holidays: list[str] = Field(max_length=400)
    workdays: list[str] = Field(default_factory=list, max_length=400)


class PublicOut(BaseModel):
    id: str
    province: str
    provider_name: str
    service_name: str
    model_name: str
    kind: Kind
    notice_start: dt.date | None
    notice_end: dt.date | None
    number: str | None
    filed_on: dt.date | None


class AppOut(BaseModel):
    id: str
    draft: bool = Field(description="材料包提交时存在未解决的阻断级问题（草稿）")
    warnings: list[str] = Field(description="审核人员须先看到的提示：草稿材料包、非现行标准版本")
    kind: Kind
    state: State
    state_label: str
    province: str
    provider_name: str
    provider_uscc: str
    service_name: str
    model_name: str
    edition: str
    tool: str
    number: str | None
    filed_on: dt.date | None
    notice_start: dt.date | None
    notice_end: dt.date | None
    supplement_due: dt.date | None
    inspection_due: dt.date | None
    rectification_due: dt.date | None
    created_at: dt.datetime
    contact_name: str | None
