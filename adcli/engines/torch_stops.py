"""Stop-gradients held on the torch engine, as adcli's engine holds them.

A gradient check of "the function as written" keeps the values that a stop-gradient made
(``detach()``, ``.data``, ``.item()``, ``.tolist()``, ``float()``, ``int()``) at those of the
first call while the inputs are perturbed (:mod:`adcli.check.stopgrad`). adcli's engine calls
its stop-gradient hook itself; on torch, :class:`StopGradients` (a ``TorchFunctionMode``)
passes what such a call returned through the same hook, for the calls a given caller made:
a spec statement (:func:`called_by_spec`) or the user's own code (:func:`called_by_user`).
The same calls inside torch's library code (a module, an optimizer's ``step``) are torch's,
not the checked function's, and are left alone.

Public API: ``TorchHolder``, ``StopGradients``, ``called_by_spec``, ``called_by_user``,
``holding(fn, detached)``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from adcli.check.stopgrad import Holder, installed

_STOPS = {"detach": "detach()", "item": ".item()", "tolist": ".tolist()",
          "__float__": ".item()", "__int__": ".item()"}


class TorchHolder(Holder):
    """adcli's holder of stop-gradients for torch values."""

    def keep(self, value: Any) -> Any:
        return value.detach().clone() if isinstance(value, torch.Tensor) else value

    def restore(self, rec: Any, value: Any) -> Any:
        if isinstance(value, torch.Tensor):
            if not isinstance(rec, torch.Tensor) or rec.shape != value.shape:
                return value
            return rec.to(value.dtype).clone()
        return rec


def _caller(frame: FrameType | None) -> str:
    """The module of the first caller past the torch engine's own modes."""
    while frame is not None:
        mod = frame.f_globals.get("__name__", "")
        if not (mod.startswith("adcli.engines") or mod == "torch.overrides"):
            return str(mod)
        frame = frame.f_back
    return ""


def called_by_spec(frame: FrameType | None) -> bool:
    """Made by the interpreter for a spec statement (it calls tensor methods there)."""
    return _caller(frame) == "adcli.spec.expressions"


def called_by_user(frame: FrameType | None) -> bool:
    """Made by the user's code (neither torch's nor adcli's)."""
    mod = _caller(frame)
    return not (mod.startswith("torch") or mod.startswith("adcli") or mod == "")


class StopGradients(TorchFunctionMode):
    """Passes what a stop-gradient call made by ``whose`` caller returned through adcli's
    stop-gradient hook (the hook installed, if any, decides what comes back)."""

    def __init__(self, whose: Callable[[FrameType | None], bool]) -> None:
        super().__init__()
        self.whose = whose

    def __torch_function__(self, func: Any, types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        out = func(*args, **(kwargs or {}))
        name = getattr(func, "__name__", "")
        kind = ".data" if name == "__get__" and func == torch.Tensor.data.__get__ \
            else _STOPS.get(name)
        if kind is not None and self.whose(sys._getframe(1)):
            from adcli.engine import stopgrad

            return stopgrad.held(kind, out)
        return out


def holding(fn: Callable[..., Any], detached: str) -> tuple[Callable[..., Any], Any]:
    """``fn`` with the stop-gradients of the user's code held at the values of its first call
    (``"hold"``), or ``fn`` itself (``"follow"``, torch's way); and the holder."""
    if detached not in ("hold", "follow"):
        raise ValueError(f"detached must be 'hold' or 'follow', not {detached!r}")
    if detached == "follow":
        return fn, None
    holder = TorchHolder()

    def held(*a: Any) -> Any:
        holder.start()
        with installed(holder), StopGradients(called_by_user):
            out = fn(*a)
        holder.recording = False
        return out

    return held, holder
