"""Prometheus metrics and structured (JSON) logs of the gateway."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["Metrics", "access_logged", "log_exchange"]

_STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

access_log = logging.getLogger("beian.gateway.access")


class Metrics:
    """The gateway's metrics in a registry of its own (one per gateway instance).

    Under several worker processes (``PROMETHEUS_MULTIPROC_DIR`` set before the worker started,
    see :func:`beian.gateway.run_workers`) every process writes its values to files there and
    :meth:`render` adds up all processes' values, so any worker answers ``/metrics`` for all.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "beian_gateway_requests", "对话请求数", ["stream", "outcome"], registry=r
        )
        self.blocks = Counter(
            "beian_gateway_blocks", "拦截次数（按阶段与风险代码）", ["stage", "risk"], registry=r
        )
        self.pii = Counter(
            "beian_gateway_pii_entities", "输入中处理的个人信息数", ["type"], registry=r
        )
        self.latency = Histogram(
            "beian_gateway_request_seconds", "请求总耗时（秒）", ["stream"],
            buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.upstream_errors = Counter(
            "beian_gateway_upstream_errors", "上游错误数", ["kind"], registry=r
        )
        self.rejected = Counter(
            "beian_gateway_rejected", "未受理的对话请求数（超限、格式不对等，未转发）", ["reason"],
            registry=r,
        )  # fmt: skip
        self.opt_out_timeouts = Counter(
            "beian_gateway_opt_out_timeouts",
            "“不用于训练”设置查询超时次数（records.opt_out_timeout_s；按已选择不用于训练处理）",
            registry=r,
        )
        self.complaints = Counter("beian_gateway_complaints", "收到的投诉举报数", registry=r)
        self.backlog = Gauge(
            "beian_gateway_records_backlog", "待写入的记录数", registry=r,
            multiprocess_mode="livesum",
        )  # fmt: skip
        self.reloads = Counter(
            "beian_gateway_config_reloads", "配置重载次数", ["result"], registry=r
        )
        self.moderation = Counter(
            "beian_gateway_moderation", "审核阶段的处置次数（按阶段、检查与处置）",
            ["stage", "check", "action"], registry=r,
        )  # fmt: skip
        self.stage_seconds = Histogram(
            "beian_gateway_stage_seconds", "各审核检查的耗时（秒）", ["check"],
            buckets=_STAGE_BUCKETS, registry=r,
        )  # fmt: skip
        self._stages: dict[str, Any] = {}  # check -> its histogram child (labels() costs)

    def stage(self, check: str, seconds: float) -> None:
        """One observation of ``beian_gateway_stage_seconds{check}`` (any thread)."""
        child = self._stages.get(check)
        if child is None:
            child = self._stages[check] = self.stage_seconds.labels(check)
        child.observe(seconds)

    def render(self) -> bytes:
        path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not path:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
        return generate_latest(registry)


def access_logged() -> bool:
    """Whether :func:`log_exchange` writes anything (callers skip building its fields if not)."""
    return access_log.isEnabledFor(logging.INFO)


def log_exchange(**fields: Any) -> None:
    """One JSON line per exchange; never the content, only ids, codes and timings."""
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(json.dumps(fields, ensure_ascii=False, separators=(",", ":")))
