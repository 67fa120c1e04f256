"""Optional tools that some tests need: PyTorch, Graphviz's ``dot``, a Chromium browser.

Outside CI a missing tool skips the test, with a reason that says how to run it. Under
``CI=true`` (``.ci/run`` installs every tool) a missing tool fails the test instead, so that
a broken install cannot turn hundreds of parity tests into quiet skips. Tests that need a tool
also carry the marker ``needs_torch``, ``needs_graphviz`` or ``needs_browser``: at the end of a
CI run, ``tests/conftest.py`` fails the session when such tests were skipped or did not run.
"""

from __future__ import annotations

import os
import shutil
from types import ModuleType

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}

HOW = {
    "torch": "pip install torch==2.13.0 (the CPU build) to run the PyTorch parity tests",
    "dot": "install Graphviz (apt-get install graphviz, brew install graphviz) to run the "
           "Graphviz tests",
    "browser": "install Chromium (apt-get install chromium) to run the browser tests",
}
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def missing(what: str, how: str) -> None:
    """Skip (outside CI) or fail (CI=true) because ``what`` is not available."""
    message = f"{what} is not available; {how}"
    if IN_CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message, allow_module_level=True)


def torch_or_none() -> ModuleType | None:
    """PyTorch, or None when it is missing outside CI (for tests whose torch half is extra)."""
    try:
        import torch
    except ImportError:
        if IN_CI:
            missing("PyTorch", HOW["torch"])
        return None
    return torch


def require_torch() -> ModuleType:
    """PyTorch; skips (fails under CI=true) without it. Usable at module level."""
    torch = torch_or_none()
    if torch is None:
        missing("PyTorch", HOW["torch"])
    return torch  # type: ignore[return-value]


def require_tool(name: str) -> str:
    """The path of the command ``name`` (e.g. ``dot``); skips (fails under CI=true) without it."""
    exe = shutil.which(name)
    if exe is None:
        missing(f"the command {name!r}", HOW.get(name, f"install {name!r} to run this test"))
    return exe  # type: ignore[return-value]


def require_browser() -> str:
    """The path of a Chromium-family browser; skips (fails under CI=true) without one."""
    for name in BROWSERS:
        exe = shutil.which(name)
        if exe is not None:
            return exe
    missing("a Chromium browser (" + ", ".join(BROWSERS) + ")", HOW["browser"])
    raise AssertionError("unreachable")
