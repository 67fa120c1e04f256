"""Submodules that load on first attribute access (PEP 562), for packages whose rarely used
parts should cost nothing at import (``adcli.cuda.nvtx``, ``adcli.backends.mkldnn``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any


def lazy_submodules(package: str, names: Iterable[str]
                    ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package`` that import its submodules ``names``
    when first asked for: ``__getattr__, __dir__ = lazy_submodules(__name__, (...))``."""
    subs = frozenset(names)

    def getattr_(name: str) -> Any:
        if name in subs:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def dir_() -> list[str]:
        return sorted(set(vars(importlib.import_module(package))) | subs)

    return getattr_, dir_
