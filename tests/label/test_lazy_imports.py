"""Labelling images and text imports neither numpy (only the audio marks need it) nor cryptography
(only signed labels need it): both are imported on first use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Runs in a fresh interpreter; prints which of numpy and cryptography were imported after each step.
_PROBE = """
import json, sys
from pathlib import Path

work = Path(sys.argv[1])
steps = {}
heavy = lambda: [m for m in ("cryptography", "numpy") if m in sys.modules]
import beian.label as label
steps["import beian.label"] = heavy()
names = [getattr(label, name) for name in label.__all__]
steps["every name in __all__"] = heavy()

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
steps["label png, jpeg, text"] = heavy()
label.explicit.rhythm_tone(8000)
steps["rhythm tone"] = heavy()
key = label.load_private_key(sys.argv[2].encode())
label.add_label(work / "small.png", payload, key=key)
results["signed"] = label.verify_label(work / "small.png", key.public_key()).signature_checked
steps["signed"] = heavy()
print(json.dumps({"steps": steps, "results": results}))
"""


def test_labelling_images_and_text_imports_neither_numpy_nor_cryptography(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    r = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path), pem.decode()],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
    )
    out = json.loads(r.stdout)
    assert out["steps"] == {
        "import beian.label": [],
        "every name in __all__": [],
        "label png, jpeg, text": [],
        "rhythm tone": ["numpy"],  # the audio tone still works and imports numpy when used
        "signed": ["cryptography", "numpy"],  # so does signing, with cryptography
    }
    assert out["results"]["signed"] is True
    for name in ("small.png", "small.jpg", "note.txt"):
        assert out["results"][name] == [True, name != "small.png"]
        assert out["results"][name + " verified"] is True
