"""Labelling images and text never imports numpy: only the audio marks need it, on first use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Runs in a fresh interpreter; prints whether numpy was imported after each step.
_PROBE = """
import json, sys
from pathlib import Path

work = Path(sys.argv[1])
steps = {}
import beian.label as label
steps["import beian.label"] = "numpy" in sys.modules
names = [getattr(label, name) for name in label.__all__]
steps["every name in __all__"] = "numpy" in sys.modules

from PIL import Image

Image.new("RGB", (96, 64), (200, 30, 30)).save(work / "small.png")
Image.new("RGB", (96, 64), (30, 200, 30)).save(work / "small.jpg", quality=90)
(work / "note.txt").write_text("今天天气很好。\\n", encoding="utf-8")
payload = label.LabelPayload(Label="1", ContentProducer="91110108551385082Q", ProduceID="p1")
results = {}
for name, explicit in (("small.png", False), ("small.jpg", True), ("note.txt", True)):
    done = label.add_label(work / name, payload, explicit=explicit)
    results[name] = [done.changed, done.explicit]
    results[name + " verified"] = label.verify_label(work / name).ok
steps["label png, jpeg, text"] = "numpy" in sys.modules
label.explicit.rhythm_tone(8000)
steps["rhythm tone"] = "numpy" in sys.modules
print(json.dumps({"steps": steps, "results": results}))
"""


def test_labelling_images_and_text_does_not_import_numpy(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
    )
    out = json.loads(r.stdout)
    assert out["steps"] == {
        "import beian.label": False,
        "every name in __all__": False,
        "label png, jpeg, text": False,
        "rhythm tone": True,  # the audio tone still works and imports numpy when it is used
    }
    for name in ("small.png", "small.jpg", "note.txt"):
        assert out["results"][name] == [True, name != "small.png"]
        assert out["results"][name + " verified"] is True
