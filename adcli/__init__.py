"""adcli: a gradient checker and autograd graph inspector with a PyTorch-like API.

``import adcli`` mirrors the ``torch`` namespace for what it supports (``adcli.tensor``,
``adcli.matmul``, ``adcli.no_grad``, ``adcli.nn.functional``, ``adcli.autograd.grad``, ...).
The engine loads on first use, so the command line starts fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    import importlib

    if name in ("nn", "optim", "autograd", "engine", "graph", "spec", "check", "view", "random",
                "cuda", "backends", "accelerator", "testing", "utils", "linalg", "func",
                "special", "distributions", "serialization", "amp", "cpu", "version",
                "signal", "profiler", "ops", "mps", "xpu", "mtia", "jit", "distributed", "fft"):
        return importlib.import_module(f"adcli.{name}")
    api = importlib.import_module("adcli.api")
    try:
        value = getattr(api, name)
    except AttributeError:
        raise AttributeError(f"module 'adcli' has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    import importlib

    api = importlib.import_module("adcli.api")
    return sorted(set(globals()) | set(api.__all__))
