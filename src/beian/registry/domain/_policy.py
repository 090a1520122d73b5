"""Registry policy: deadline lengths in working days and upload limits.

The 7-working-day public notice comes from the seed process (standards.md §4); the other
periods are the office's own policy. All are overridable in ``beian.yaml`` under ``registry:``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from beian._shared.workdays import DEFAULT_NOTICE_WORKING_DAYS
from beian.registry.domain._states import Deadline

__all__ = ["Policy"]


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notice_working_days: int = Field(DEFAULT_NOTICE_WORKING_DAYS, ge=1, description="公示期（工作日），种子流程：7 个工作日")
    supplement_working_days: int = Field(10, ge=1, description="补正期限（工作日）")
    inspection_working_days: int = Field(20, ge=1, description="检查期限（工作日）")
    rectification_working_days: int = Field(15, ge=1, description="整改期限（工作日）")
    max_file_bytes: int = Field(50 * 1024 * 1024, ge=1024, description="单个材料大小上限")
    max_package_bytes: int = Field(200 * 1024 * 1024, ge=1024, description="材料包大小上限")
    max_request_bytes: int = Field(1024 * 1024, ge=1024, description="上传以外的请求体上限")
    max_concurrent_uploads: int = Field(4, ge=1, description="同时读取的上传数")
    max_package_entries: int = Field(200, ge=4, description="材料包内文件数上限")
    max_compression_ratio: int = Field(100, ge=2, description="材料包内单个文件的压缩比上限")
    accept_draft_packages: bool = Field(
        False, description="是否受理草稿材料包（存在未解决的阻断级问题）；受理时审核页面显示警告"
    )
    objections_per_hour: int = Field(5, ge=1, description="同一来源每小时可提交的异议数")
    max_open_objections: int = Field(50, ge=1, description="一个申请待处理异议的上限")
    login_max_failures: int = Field(5, ge=1, description="15 分钟内允许的登录失败次数")
    login_window_seconds: int = Field(900, ge=1)
    session_hours: int = Field(12, ge=1)
    argon2_time_cost: int = Field(3, ge=1, description="argon2id 迭代次数")
    argon2_memory_kib: int = Field(65536, ge=8, description="argon2id 内存（KiB）")

    def working_days(self, deadline: Deadline) -> int:
        return {
            Deadline.NOTICE: self.notice_working_days,
            Deadline.SUPPLEMENT: self.supplement_working_days,
            Deadline.INSPECTION: self.inspection_working_days,
            Deadline.RECTIFICATION: self.rectification_working_days,
        }[deadline]

    @classmethod
    def from_section(cls, section: dict[str, Any]) -> Policy:
        return cls.model_validate(section.get("policy", {}))
