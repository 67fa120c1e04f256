"""``torch.autograd.gradcheck`` / ``gradgradcheck``: ``True``, or :class:`GradcheckError`.

The checking is adcli's (:mod:`adcli.check.gradcheck`); this module gives it PyTorch's
signatures and semantics. The error message starts as PyTorch's ("Jacobian mismatch for
output 0 with respect to input 0,") and goes on with adcli's diagnosis: the worst entries,
the culprit node and notes. The checked function is called as written at every perturbed
input, so values it detaches follow the perturbation, as in PyTorch.

Accepted for compatibility and not performed: ``check_undefined_grad``,
``check_batched_grad``, ``check_batched_forward_grad``, ``check_forward_ad``,
``check_fwd_over_rev`` (adcli has no forward-mode AD), ``nondet_tol`` (adcli's backward is
deterministic), ``gen_non_contig_grad_outputs`` and ``masked``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from adcli.check import gradcheck as _checker
from adcli.check.report import GradcheckReport
from adcli.engine.grad_mode import enable_grad
from adcli.engine.tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` / :func:`gradgradcheck` when a check fails."""

    report: GradcheckReport | None = None


def _tupled(inputs: Any) -> tuple[Any, ...]:
    if isinstance(inputs, Tensor):
        return (inputs,)
    return tuple(inputs)


def _diff_positions(args: tuple[Any, ...], fn_name: str) -> list[int]:
    pos = [k for k, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    if not pos:
        raise ValueError(f"{fn_name} expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for j, k in enumerate(pos):
        if args[k]._data.dtype.itemsize < 8:
            warnings.warn(
                f"Input #{j} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ", UserWarning, stacklevel=3)
    return pos


def _fmt(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:.6g}"


def _message(report: GradcheckReport, n_outputs: int, out_label: str) -> str:
    """PyTorch's first line for the first failing pair, then adcli's diagnosis."""
    lines = []
    bad = [p for p in report.pairs if not p.ok]
    if report.error:
        lines.append(f"gradcheck could not complete: {report.error}")
    elif bad:
        # As PyTorch: the first failing output, then the first failing input for it.
        def ids(p: Any) -> tuple[int, int]:
            k = 0 if n_outputs == 1 else int(p.output.removeprefix(out_label).rstrip(")"))
            return k, int(p.input.removeprefix("input"))

        k, i = min(ids(p) for p in bad)
        lines.append(f"Jacobian mismatch for output {k} with respect to input {i},")
    lines.append(f"adcli: {report.summary()}")
    for m in report.mismatches[:10]:
        where = f"{m.input}[{', '.join(map(str, m.index))}]" if m.index else m.input
        out = f"{m.output}[{', '.join(map(str, m.output_index))}]" if m.output_index \
            else m.output
        lines.append(f"  d {out} / d {where}: analytical {_fmt(m.analytical)}, numerical "
                     f"{_fmt(m.numerical)}")
    if report.culprit is not None:
        c = report.culprit
        lines.append(f"culprit: {c.node}" + (f": {c.detail}" if c.detail else ""))
    for n in report.notes:
        if n.kind != "promotion":
            lines.append(f"note ({n.kind}): {n.message}")
    return "\n".join(lines) + "\n"


def _finish(report: GradcheckReport, raise_exception: bool, n_outputs: int,
            out_label: str) -> bool:
    if report.ok:
        return True
    if not raise_exception:
        return False
    err = GradcheckError(_message(report, n_outputs, out_label))
    err.report = report
    raise err


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-06,
              atol: float = 1e-05, rtol: float = 0.001, raise_exception: bool = True,
              nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False,
              masked: bool | None = None) -> bool:
    """Check ``func``'s backward against finite differences; ``True`` or GradcheckError."""
    args = _tupled(inputs)
    positions = _diff_positions(args, "gradcheck")
    # As PyTorch: the function runs once as given first, so its own errors propagate.
    with enable_grad():
        outs = func(*args)
    n_out = len(outs) if isinstance(outs, tuple | list) else 1
    if not check_backward_ad:
        return True
    names = [f"input{j}" for j in range(len(positions))]
    report = _checker.gradcheck(func, args, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode,
                                names=names, detached="follow")
    return _finish(report, raise_exception, n_out, "output")


def gradgradcheck(func: Callable[..., Any], inputs: Any,
                  grad_outputs: Tensor | Sequence[Tensor | None] | None = None, *,
                  eps: float = 1e-06, atol: float = 1e-05, rtol: float = 0.001,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives (``gradcheck`` of the first derivatives); ``True`` or
    GradcheckError."""
    args = _tupled(inputs)
    positions = _diff_positions(args, "gradcheck")
    with enable_grad():
        func(*args)
    if not check_rev_over_rev:
        return True
    names = [f"input{j}" for j in range(len(positions))]
    report = _checker.gradgradcheck(func, args, grad_outputs, eps=eps, atol=atol, rtol=rtol,
                                    fast_mode=fast_mode, names=names, detached="follow")
    # The outputs checked are the first derivatives, one per differentiable input.
    return _finish(report, raise_exception, len(positions), "grad(input")
