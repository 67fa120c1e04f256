"""Compare what one call does on adcli and on torch: its value (plain values by repr, other
objects by class name, modules by name), or its error (builtin class and message), and the
warnings it gave (category and message)."""

from __future__ import annotations

import inspect
import types
import warnings
from collections.abc import Callable
from typing import Any

_PLAIN = (bool, int, float, str, type(None), list, tuple, dict)


def _value(r: Any) -> Any:
    if isinstance(r, types.ModuleType):
        return ("module", r.__name__.replace("adcli", "torch", 1))
    if isinstance(r, _PLAIN) and not isinstance(r, type):
        return repr(r)
    if isinstance(r, type):
        return ("class", r.__module__.replace("adcli", "torch", 1), r.__qualname__)
    if type(r).__module__ in ("torch", "adcli.engine.dtypes") and "dtype" in type(r).__name__:
        return repr(r)
    return ("object", type(r).__name__)


def _error_class(exc: BaseException) -> str:
    """The first builtin class of an error (adcli's own errors subclass the builtin one
    torch raises)."""
    return next(k.__name__ for k in type(exc).__mro__ if k.__module__ == "builtins")


def _message(w: warnings.WarningMessage) -> str:
    # torch's C++ warnings end with their source line, which is no part of the message
    return str(w.message).split(" (Triggered internally at ")[0]


def outcome(fn: Callable[[], Any]) -> tuple[Any, list[tuple[str, str]]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r = _value(fn())
        except Exception as exc:
            r = ("error", _error_class(exc), str(exc))
    return r, [(w.category.__name__, _message(w)) for w in caught
               if "TypedStorage is deprecated" not in str(w.message)]


# What torch's device modules import for themselves (typing, the standard library, torch) and
# torch.cuda's tables of CUDA releases: implementation details, not API.
NOT_API = {"Any", "Callable", "NewType", "Optional", "TYPE_CHECKING", "cast", "classproperty",
           "lru_cache", "annotations", "DEVICE_REQUIREMENT", "PYTORCH_RELEASES_CODE_CC",
           "byref", "pointer", "c_double", "c_uint32", "c_void_p"}
IMPL_MODULES = ("typing", "typing_extensions", "collections.abc", "functools", "torch._utils",
                "__future__", "inspect", "contextlib", "torch.types", "ctypes", "_ctypes")
_HELPERS = ("Tensor", "Storage", "Sequence", "Iterable", "Literal", "Self", "Device")


def get(root: Any, path: str) -> Any:
    for part in path.split("."):
        root = getattr(root, part)
    return root


def public(mod: types.ModuleType) -> list[str]:
    """torch's public names of a module, without the modules and helpers it imports."""
    out = []
    for n in dir(mod):
        if n.startswith("_") or n in NOT_API or n in _HELPERS:
            continue
        v = getattr(mod, n)
        if isinstance(v, types.ModuleType) and not v.__name__.startswith(mod.__name__ + "."):
            continue  # os, threading, torch itself
        if getattr(v, "__module__", None) in IMPL_MODULES:
            continue
        out.append(n)
    return out


def no_arg_callables(torch: Any, space: str) -> list[tuple[str, str]]:
    """(space, name) of the plain functions among a torch namespace's public names."""
    t = get(torch, space)
    return [(space, n) for n in public(t)
            if inspect.isfunction(getattr(t, n)) or inspect.isbuiltin(getattr(t, n))]
