"""Documentation must keep up with the code: every finding code and every figure is documented."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import beian
from beian.findings import all_codes
from beian.standards import list_editions, load_edition

DOCS = Path(__file__).resolve().parent.parent / "docs"
OPTIONAL = {"ray", "torch", "safetensors"}  # optional extras; modules needing them may not import


def _import_all() -> None:
    for mod in pkgutil.walk_packages(beian.__path__, "beian."):
        if mod.name == "beian.__main__":
            continue
        try:
            importlib.import_module(mod.name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] not in OPTIONAL:
                raise


def test_every_finding_code_is_documented() -> None:
    _import_all()
    pages = [DOCS / "findings.md", *sorted((DOCS / "findings").glob("*.md"))]
    text = "\n".join(p.read_text("utf-8") for p in pages)
    documented = set(re.findall(r"`(BA-[A-Z]+-\d{3})`", text))
    codes = set(all_codes())
    assert codes, "no finding codes declared"
    assert sorted(codes - documented) == [], "undocumented finding codes"
    assert sorted(documented - codes) == [], "documented codes that no module declares"


def test_every_figure_is_documented() -> None:
    text = (DOCS / "standards.md").read_text("utf-8")
    for edition in list_editions():
        for name in load_edition(edition).figures:
            assert f"`{name}`" in text, f"{name} ({edition}) missing from docs/standards.md"
