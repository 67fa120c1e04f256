"""Golden-file comparison: ADCLI_UPDATE_GOLDEN=1 rewrites the files instead of comparing."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` exactly with ``golden/<name>`` (or write it when updating)."""
    path = GOLDEN / name
    if not text.endswith("\n"):
        text += "\n"
    if os.environ.get("ADCLI_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run with ADCLI_UPDATE_GOLDEN=1"
    want = path.read_text(encoding="utf-8")
    assert text == want, (
        f"output differs from {path} (ADCLI_UPDATE_GOLDEN=1 regenerates it)\n"
        f"--- got ---\n{text}--- want ---\n{want}")
