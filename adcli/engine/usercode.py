"""Calls into code outside adcli (plugin ops, custom Functions) kept from breaking adcli.

Whatever such code raises that is not an engine error becomes a :class:`PluginError` naming
the function, its file and line: ``SystemExit`` must not end adcli silently (a CI gate would
pass with nothing checked), and a plugin's bug is not adcli's. A real Ctrl-C still stops.
"""

from __future__ import annotations

import functools
import linecache
import os
import sysconfig
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adcli.interrupts import Interrupted, handler_installed

from .errors import AdcliError, PluginError


def is_user_code(fn: Any) -> bool:
    """True for functions defined outside the adcli package."""
    module = getattr(fn, "__module__", None) or ""
    return not (module == "adcli" or module.startswith("adcli."))


def _where(fn: Any, exc: BaseException) -> str:
    """``file:line`` of the innermost frame in ``fn``'s file (else the innermost frame)."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    home = code.co_filename if code is not None else None
    frames = traceback.extract_tb(exc.__traceback__)
    pick = None
    for fr in frames:
        if home is None or fr.filename == home:
            pick = fr
    if pick is None and frames:
        pick = frames[-1]
    if pick is None:
        return home or "<unknown>"
    return f"{pick.filename}:{pick.lineno}"


_ADCLI = str(Path(__file__).resolve().parent.parent) + os.sep
_SPEC = _ADCLI + "spec" + os.sep  # the interpreter: Python errors there are the spec's own


@functools.lru_cache(maxsize=1024)
def _realpath(path: str) -> str:
    return os.path.realpath(path)


def engine_bug(exc: BaseException) -> bool:
    """True when ``exc`` (not an engine error) is a bug of adcli's engine, not a refusal.

    The innermost adcli frame decides. In the spec interpreter it is the spec's own mistake
    (``[1, 2][5]``), as it is in spec or plugin code the engine calls back. Elsewhere in
    adcli, a ``raise`` statement is a deliberate check (torch raises TypeError, IndexError,
    ValueError too); anything else (NumPy's errors, an AttributeError, a ZeroDivisionError)
    escaped the engine's checks: adcli's bug.
    """
    if isinstance(exc, AdcliError):
        return False
    # (lines read only for the frame that decides: a spec's `try` in a loop lands here often)
    frames = list(traceback.walk_tb(exc.__traceback__))
    paths = [_realpath(fr.f_code.co_filename) for fr, _ in frames]
    mine = [i for i, f in enumerate(paths) if f.startswith(_ADCLI)]
    if not mine:
        return False
    i = mine[-1]
    if paths[i].startswith(_SPEC) or any(_is_user_file(f) for f in paths[i + 1:]):
        return False  # the spec's, or code adcli called (a plugin, a checked function)
    line = linecache.getline(frames[i][0].f_code.co_filename, frames[i][1])
    deliberate = i == len(frames) - 1 and line.lstrip().startswith("raise")
    return not deliberate


def _is_user_file(path: str) -> bool:
    """Neither adcli, nor Python's library, nor an installed package (NumPy)."""
    return not path.startswith((_ADCLI, *_LIBRARY)) and not path.startswith("<frozen")


_LIBRARY = tuple(os.path.realpath(p) + os.sep for p in {
    sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")})


def _real_interrupt(exc: BaseException) -> bool:
    # Without the command line's SIGINT handler (the Python API) every KeyboardInterrupt
    # may be a Ctrl-C.
    return isinstance(exc, Interrupted) or not handler_installed()


def call_user(what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``; a non-engine exception becomes a :class:`PluginError`."""
    try:
        return fn(*args, **kwargs)
    except AdcliError:
        raise
    except KeyboardInterrupt as exc:
        if _real_interrupt(exc):
            raise
        raise PluginError(_message(what, fn, exc)) from None
    except BaseException as exc:
        if not handler_installed():
            # The Python API, as torch: the user's own exception reaches the user's code.
            raise
        raise PluginError(_message(what, fn, exc)) from exc


def _message(what: str, fn: Any, exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:500]
    name = type(exc).__name__
    return f"{what} raised {name}{': ' + text if text else ''} ({_where(fn, exc)})"


def guard(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (a plugin op registered as ``name``) with its errors named as the plugin's."""
    if not is_user_code(fn):
        return fn

    def op(*args: Any, **kwargs: Any) -> Any:
        return call_user(f"plugin op '{name}'", fn, *args, **kwargs)

    op.__name__ = getattr(fn, "__name__", name)
    op.__doc__ = getattr(fn, "__doc__", None)
    op.__wrapped__ = fn  # type: ignore[attr-defined]  # inspect.signature follows it
    return op
