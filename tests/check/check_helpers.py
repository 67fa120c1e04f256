"""Shared helpers for the gradcheck tests: loading the plugin files by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

PLUGINS = Path(__file__).parent / "plugins"


def load_plugin(name: str) -> ModuleType:
    """Import ``tests/check/plugins/<name>.py`` once (it registers its ops)."""
    key = f"adcli_test_plugin_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, PLUGINS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[key] = mod
    spec.loader.exec_module(mod)
    return mod
