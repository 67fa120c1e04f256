"""Run Python or adcli in a fresh process, for tests that measure the process itself.

A memory limit is measured as growth of the process's resident memory, and heap that earlier
tests grew is reused without growing it: inside the pytest process such a test would depend on
which tests ran before it (alone, in random order, under pytest-xdist). A fresh interpreter
starts from the same state every time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "NO_COLOR": "1",
            "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


def run_adcli(*args: str, cwd: Path | str | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m adcli ARGS`` in a new interpreter (this checkout's adcli)."""
    return subprocess.run([sys.executable, "-m", "adcli", *args], capture_output=True, text=True,
                          cwd=cwd, env=_env(), timeout=timeout, check=False)


def run_python(code: str, *args: str, timeout: float = 120) -> Any:
    """Run ``code`` in a new interpreter; it prints one JSON document, which is returned."""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=_env(), timeout=timeout, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
