"""``adcli gradcheck`` of specs on the torch engine: the same entries, checks and results as
:mod:`adcli.check.spec_checks`, computed by :mod:`adcli.engines.torch_check`.

Public API: ``check_spec_torch(spec, options, progress) -> list[SpecCheck]``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import torch

from adcli.check.spec_checks import EntryEngine, Options, SpecCheck, check_spec
from adcli.check.stopgrad import installed

from . import torch_check
from .torch_stops import StopGradients, TorchHolder, called_by_spec


def check_spec_torch(spec: Any, options: Options | None = None,
                     progress: Callable[[str], None] | None = None) -> list[SpecCheck]:
    """The checks of one loaded spec, run on real PyTorch."""
    return check_spec(spec, options, progress, engine=TorchEntries())


def spec_place(run: Any) -> tuple[int | None, int | None, str | None]:
    """(step, line, statement text) of the statement a spec run is executing."""
    text = None
    todo = list(run.spec.steps)
    while todo and text is None:
        step = todo.pop()
        for st in getattr(step, "statements", None) or []:
            if st.line <= run.line < st.line + max(1, st.text.count("\n") + 1):
                text = st.text
        todo.extend(getattr(step, "children", None) or [])
    return run.step, run.line, text


def _locate() -> tuple[int | None, int | None, str | None] | None:
    """The place of the spec statement running now (found on the interpreter's frames)."""
    from adcli.spec.interpreter import Run

    frame = sys._getframe(1)
    while frame is not None:
        me = frame.f_locals.get("self")
        if isinstance(me, Run):
            return spec_place(me)
        frame = frame.f_back  # type: ignore[assignment]
    return None


def module_parameters(run: Any, seen: set[int]) -> list[str]:
    """Paths of the parameters that require grad of the torch modules a run bound by name
    (``model.weight``, ``model[0].bias``), each tensor once (as on adcli's engine)."""
    out: list[str] = []
    for name, value in run.namespace.items():
        if not isinstance(value, torch.nn.Module):
            continue
        for pname, p in value.named_parameters():
            if id(p) in seen or not p.requires_grad or not p.is_floating_point():
                continue
            seen.add(id(p))
            out.append(name + "".join(f"[{part}]" if part.isdigit() else f".{part}"
                                      for part in str(pname).split(".")))
    return out


class TorchEntries(EntryEngine):
    """Checking an entry on torch: torch leaves and modules, torch's stop-gradients, and
    :mod:`adcli.engines.torch_check` as the checker."""

    def holder(self) -> Any:
        return TorchHolder()

    def replaying(self, holder: Any) -> Any:
        stack = ExitStack()
        stack.enter_context(installed(holder))
        stack.enter_context(StopGradients(called_by_spec))
        return stack

    def not_a_float_leaf(self, v: Any) -> str | None:
        if not isinstance(v, torch.Tensor):
            return "not a tensor"
        if not v.is_leaf:
            return "not a leaf (it is computed by the steps)"
        if not v.is_floating_point():
            return f"of dtype {str(v.dtype).removeprefix('torch.')}, not floating-point"
        return None

    def module_parameters(self, run: Any, seen: set[int]) -> list[str]:
        return module_parameters(run, seen)

    def inputs(self, values: list[Any]) -> tuple[Any, ...]:
        return tuple(v.detach().to(torch.float64).clone().requires_grad_(True) for v in values)

    def replay_options(self, budget: Any) -> dict[str, Any]:
        return {}

    def evaluate(self, run: Any, entry: Any) -> Any:
        prev = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)  # `of` creates tensors as the steps did
        try:
            return run.eval_expr(entry.of)
        finally:
            torch.set_default_dtype(prev)

    def keeps_run(self) -> bool:
        return False

    def check_options(self, opts: Options, budget: Any, locate: Any) -> dict[str, Any]:
        return {"locate": _locate}  # torch's nodes are placed by the interpreter's frames

    def checkers(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        return torch_check.gradcheck, torch_check.gradgradcheck

    def finish(self, report: Any, spec: Any, entry: Any) -> None:
        if report.culprit is not None and report.culprit.line == entry.line:
            report.culprit.tensor = entry.of.text
