"""``adcli gradcheck`` of specs on the torch engine: the same entries, checks and results as
:mod:`adcli.check.spec_checks`, computed by :mod:`adcli.engines.torch_check`.

Public API: ``check_spec_torch(spec, options, progress) -> list[SpecCheck]``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import torch

from adcli.check.report import Note
from adcli.check.spec_checks import CheckError, Options, SpecCheck, default_entries

from . import torch_check
from .torch_stops import StopGradients, TorchHolder, called_by_spec


def check_spec_torch(spec: Any, options: Options | None = None,
                     progress: Callable[[str], None] | None = None) -> list[SpecCheck]:
    """The checks of one loaded spec, run on real PyTorch."""
    opts = options or Options()
    out = []
    for entry in default_entries(spec):
        if progress is not None:
            progress(f"{spec.name}: {entry.of.text}")
        out.append(_check_entry(spec, entry, opts))
    return out


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


def _check_entry(spec: Any, entry: Any, opts: Options) -> SpecCheck:
    from adcli.check.gradcheck import merge
    from adcli.check.spec_checks import _by_path, _graph_cut
    from adcli.check.stopgrad import installed
    from adcli.spec.errors import SpecError
    from adcli.spec.interpreter import StepError, execute

    mode = opts.mode or entry.mode
    order = opts.order or entry.order
    check = SpecCheck(spec.path, spec.name, entry.of.text, list(entry.wrt or []),
                      line=entry.line, order=order, mode=mode)
    try:
        detached = opts.detached or getattr(entry, "detached", "hold")
        holder = TorchHolder() if detached == "hold" else None
        seen = holder or TorchHolder()  # in follow mode: only lists the stop-gradients
        with installed(seen), StopGradients(called_by_spec):
            first = execute(spec, replay=True, dtype="float64",
                            max_elements=opts.max_elements, stop_hook=seen)
        if holder is not None:
            holder.recording = False
        ns = first.namespace

        def is_float_leaf(v: Any) -> bool:
            return isinstance(v, torch.Tensor) and v.is_leaf and v.is_floating_point()

        if entry.wrt is None:
            check.wrt = [k for k, v in ns.items() if is_float_leaf(v) and v.requires_grad]
            check.wrt += module_parameters(first, {id(ns[k]) for k in check.wrt})
        found: dict[str, Any] = {}
        for name in check.wrt:
            v = ns.get(name) if name.isidentifier() else _by_path(first, name)
            found[name] = v
            if not is_float_leaf(v):
                # as on adcli's engine: an invalid entry is an invalid spec (exit 2)
                j = (entry.wrt or []).index(name) if name in (entry.wrt or []) else -1
                pos = getattr(entry, "wrt_pos", None) or []
                wl, wc = pos[j] if 0 <= j < len(pos) else (entry.line, entry.column)
                what = ("not a tensor" if not isinstance(v, torch.Tensor) else
                        "not a leaf (it is computed by the steps)" if not v.is_leaf else
                        f"of dtype {str(v.dtype).removeprefix('torch.')}, not floating-point")
                check.invalid = SpecError(spec.path, wl, wc,
                                          f"wrt: '{name}' is {what}; a gradient check "
                                          "needs floating-point leaf tensors")
                check.error = CheckError("invalid_spec", check.invalid.message, None, wl, wc)
                return check
        if not check.wrt:
            check.error = CheckError("invalid_argument", "nothing to check: no leaf "
                                     "requires grad", None, entry.line, entry.column)
            return check
        inputs = tuple(found[name].detach().to(torch.float64).clone().requires_grad_(True)
                       for name in check.wrt)

        def fn(*xs: Any) -> Any:
            with installed(holder), StopGradients(called_by_spec):
                run = execute(spec, replay=True, dtype="float64",
                              max_elements=opts.max_elements,
                              overrides=dict(zip(check.wrt, xs)), stop_hook=holder)
                prev = torch.get_default_dtype()
                torch.set_default_dtype(torch.float64)  # `of` creates tensors as steps did
                try:
                    return run.eval_expr(entry.of)
                finally:
                    torch.set_default_dtype(prev)

        kw: dict[str, Any] = {
            "eps": opts.eps if opts.eps is not None else entry.eps,
            "atol": opts.atol if opts.atol is not None else entry.atol,
            "rtol": opts.rtol if opts.rtol is not None else entry.rtol,
            "fast_mode": mode == "fast", "names": check.wrt, "locate": _locate,
            "needs_grad": True}
        report = torch_check.gradcheck(fn, inputs, **kw)
        if order >= 2:
            report = merge(report, torch_check.gradgradcheck(fn, inputs, **kw))
        if report.culprit is not None and report.culprit.line == entry.line:
            report.culprit.tensor = entry.of.text
        if spec.dtype == "float32":
            report.notes.insert(0, Note("promotion", "the spec's dtype is float32; the check "
                                                     "runs in float64"))
        if holder is None and not report.ok and report.culprit is None and seen.held:
            report.culprit = _graph_cut(seen.held[0])
        if holder is not None and holder.held:
            report.notes.append(Note("held", "held constant: " + "; ".join(holder.places())))
        check.report = report
    except StepError as f:
        check.error = CheckError(f.kind if f.kind != "assertion" else "invalid_argument",
                                 f.message, f.step, f.line, f.column)
    except SpecError as err:
        check.error = CheckError(err.kind, err.message, None, err.line, err.column)
    except Exception as exc:
        if opts.raise_internal:
            raise
        check.internal = f"{type(exc).__name__}: {exc}"
    return check
