from __future__ import annotations

from pathlib import Path

import pytest

from beian.dossier import Dossier, load_dossier
from beian.errors import InputError
from beian.io import line_of, yaml_lines

DOC = """\
provider:
  name: 甲
  contacts:
    - name: 乙
      phone: "1"
service:
  functions: [对话,
    图片]
"""


def test_yaml_lines_maps_keys_and_items() -> None:
    lines = yaml_lines(DOC)
    assert lines[("provider",)] == 1
    assert lines[("provider", "name")] == 2
    assert lines[("provider", "contacts", 0)] == 4
    assert lines[("provider", "contacts", 0, "phone")] == 5
    assert lines[("service", "functions", 1)] == 8
    assert line_of(lines, ("provider", "contacts", 0, "email")) == 4
    assert line_of(lines, ("nowhere",)) == 1


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("service:\n  kind: both\n", ":2 service.kind"),
        ("provider:\n  contacts:\n    - {name: 1}\n", ":3 provider.contacts.0.name"),
        (
            "model:\n  corpus:\n    sources:\n      - harmful_ratio: 150\n",
            ":4 model.corpus.sources.0.harmful_ratio",
        ),
        ("safety:\n  labelling:\n    smell: {explicit: x}\n", ":3 safety.labelling.smell"),
        ("oops: 1\n", ":1 oops"),
    ],
)
def test_schema_errors_point_at_the_line(tmp_path: Path, text: str, where: str) -> None:
    (tmp_path / "dossier.yaml").write_text(text, "utf-8")
    with pytest.raises(InputError) as exc:
        load_dossier(tmp_path)
    assert exc.value.where == f"{tmp_path / 'dossier.yaml'}{where}"


def test_template_and_example_validate() -> None:
    from importlib import resources

    for pkg, sub in (("beian.dossier", "data/template"), ("beian.dossier", "data/example")):
        text = (resources.files(pkg) / sub / "dossier.yaml").read_text("utf-8")
        import yaml

        Dossier.model_validate(yaml.safe_load(text))


def test_missing_dossier(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="beian init"):
        load_dossier(tmp_path)
