"""Registry policy: the process, deadline lengths in working days, limits, accounts.

``process``: ``seed`` (the seed's flow, with the 7-working-day public notice of standards.md
§4) or ``cac`` (属地 first review → national review → filing, no pre-filing notice). The change
and cancellation periods are the CAC's for algorithm filings (变更 10, 注销 20 working days);
the others are the office's own policy. All are overridable in ``beian.yaml`` under
``registry:``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from beian._shared.workdays import DEFAULT_NOTICE_WORKING_DAYS
from beian.registry.domain._permissions import REGISTRAR_ROLES, Role
from beian.registry.domain._states import Deadline, Process

if TYPE_CHECKING:
    from beian.config import BeianConfig

__all__ = ["Policy"]

WHAT = "备案登记系统配置无效："
FIX = "参见 docs/registry.md 的 registry.policy 说明"


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    process: Process = Field(Process.SEED, description="流程：seed 种子流程（公示与异议）；cac 属地初审 → 国家复审")
    change_report_working_days: int = Field(10, ge=1, description="变更发生后办理变更手续的期限（工作日）")
    deregister_working_days: int = Field(20, ge=1, description="终止服务后办理注销的期限（工作日）")
    notice_working_days: int = Field(DEFAULT_NOTICE_WORKING_DAYS, ge=1, description="公示期（工作日），种子流程：7 个工作日")
    supplement_working_days: int = Field(10, ge=1, description="补正期限（工作日）")
    inspection_working_days: int = Field(20, ge=1, description="检查期限（工作日）")
    rectification_working_days: int = Field(15, ge=1, description="整改期限（工作日）")
    max_file_bytes: int = Field(50 * 1024 * 1024, ge=1024, description="单个材料大小上限")
    max_package_bytes: int = Field(200 * 1024 * 1024, ge=1024, description="材料包大小上限")
    max_request_bytes: int = Field(1024 * 1024, ge=1024, description="上传以外的请求体上限")
    max_concurrent_uploads: int = Field(4, ge=1, description="同时读取的上传数")
    upload_wait_seconds: float = Field(10, ge=0, le=300,
                                       description="上传排队等待的最长时间；超时答 503（此前不读请求体）")
    read_workers: int = Field(4, ge=1, le=64, description=(
        "网页服务中处理读请求（申请列表、详情、流转记录、公示与已备案列表）的工作线程数；"
        "写入与上传另有线程，读请求不在其后排队"))
    write_workers: int = Field(2, ge=1, le=64, description=(
        "网页服务中处理写入（及写审计记录的网页）的工作线程数；上传、登录与只读网页各有自己的线程"))
    upload_workers: int = Field(2, ge=1, le=64, description=(
        "同时解析与校验上传材料的线程数（不超过 max_concurrent_uploads；解析占 CPU，多于核数只会互相争抢）"))
    login_workers: int = Field(2, ge=1, le=16, description=(
        "同时核验密码的登录数（argon2 每次占一个核与 argon2_memory_kib 内存）"))
    login_queue: int = Field(8, ge=0, le=1000, description=(
        "排队等待核验密码的登录数上限；再来的登录立即答 503 并带 Retry-After"))
    login_retry_after_seconds: int = Field(5, ge=1, le=3600, description=(
        "登录排队已满时答复中建议的重试等待（Retry-After，秒）"))
    max_package_entries: int = Field(200, ge=4, description="材料包内文件数上限")
    max_compression_ratio: int = Field(100, ge=2, description="材料包内单个文件的压缩比上限")
    accept_draft_packages: bool = Field(
        False, description="是否受理草稿材料包（存在未解决的阻断级问题）；受理时审核页面显示警告"
    )
    objections_per_hour: int = Field(5, ge=1, description="同一来源每小时可提交的异议数")
    max_open_objections: int = Field(50, ge=1, description="一个申请待处理异议的上限")
    login_max_failures: int = Field(5, ge=1, description="同一用户名连续失败几次后开始延时（同一地址为其 4 倍）")
    login_base_delay_seconds: float = Field(1.0, gt=0, description="开始延时后的首次等待；此后每失败一次加倍")
    login_max_delay_seconds: float = Field(900, gt=0, description="单次等待的上限（不会被永久锁定）")
    login_window_seconds: int = Field(86400, ge=1, description="多久没有失败后清零失败计数")
    password_min_length: int = Field(12, ge=8, le=64, description="密码最短长度")
    totp_roles: list[Role] = Field(default_factory=lambda: sorted(REGISTRAR_ROLES),
                                   description="必须使用动态口令（TOTP）的角色；缺少密钥时拒绝登录")
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
    def from_config(cls, config: BeianConfig) -> Policy:
        """``registry.policy`` of ``beian.yaml`` (errors at ``beian.yaml:line field``)."""
        return config.section_model("registry", cls, at=("policy",), what=WHAT, fix=FIX)
