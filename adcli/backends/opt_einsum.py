"""``torch.backends.opt_einsum``: whether the opt-einsum package is installed (torch asks the
same), and torch's ``enabled``/``strategy`` switches. adcli's einsum contracts with NumPy
whatever they say."""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
from collections.abc import Iterator
from typing import Any

from ._flags import allow_mutation, with_props

__all__ = ["flags", "get_opt_einsum", "is_available", "set_flags"]


@functools.lru_cache
def is_available() -> bool:
    r"""Return a bool indicating if opt_einsum is currently available."""
    return importlib.util.find_spec("opt_einsum") is not None


def get_opt_einsum() -> Any:
    r"""Return the opt_einsum package if opt_einsum is currently available, else None."""
    return importlib.import_module("opt_einsum") if is_available() else None


def _set_enabled(_enabled: bool) -> None:
    if not is_available() and _enabled:
        raise ValueError(
            f"opt_einsum is not available, so setting `enabled` to {_enabled} will not reap "
            "the benefits of calculating an optimal path for einsum. torch.einsum will "
            "fall back to contracting from left to right. To enable this optimal path "
            "calculation, please install opt-einsum.")
    _STATE["enabled"] = _enabled


def _set_strategy(_strategy: str) -> None:
    if not is_available():
        raise ValueError(
            f"opt_einsum is not available, so setting `strategy` to {_strategy} will not be "
            "meaningful. torch.einsum will bypass path calculation and simply contract from "
            "left to right. Please install opt_einsum or unset `strategy`.")
    if not _STATE["enabled"]:
        raise ValueError(
            f"opt_einsum is not enabled, so setting a `strategy` to {_strategy} will not be "
            "meaningful. torch.einsum will bypass path calculation and simply contract from "
            "left to right. Please set `enabled` to `True` as well or unset `strategy`.")
    if _strategy not in ["auto", "greedy", "optimal"]:
        raise ValueError("`strategy` must be one of the following: [auto, greedy, optimal] "
                         f"but is {_strategy}")
    _STATE["strategy"] = _strategy


def set_flags(_enabled: bool | None = None, _strategy: str | None = None) -> tuple:
    orig = (_STATE["enabled"], None if not is_available() else _STATE["strategy"])
    if _enabled is not None:
        _set_enabled(_enabled)
    if _strategy is not None:
        _set_strategy(_strategy)
    return orig


@contextlib.contextmanager
def flags(enabled: bool | None = None, strategy: str | None = None) -> Iterator[None]:
    with allow_mutation():
        orig = set_flags(enabled, strategy)
    try:
        yield
    finally:
        with allow_mutation():
            set_flags(*orig)


_STATE: dict[str, Any] = {"enabled": bool(is_available()),
                          "strategy": "auto" if is_available() else None}


class _Shadowed:
    """``enabled`` and ``strategy`` as torch's module has them: its ContextProps end up as
    plain globals, so an assignment to the module attribute shadows what ``set_flags`` and
    ``flags()`` change, and is not checked."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return _ASSIGNED.get(self.key, _STATE[self.key])

    def __set__(self, obj: Any, val: Any) -> None:
        _ASSIGNED[self.key] = val


_ASSIGNED: dict[str, Any] = {}
with_props(__name__, enabled=_Shadowed("enabled"), strategy=_Shadowed("strategy"))
