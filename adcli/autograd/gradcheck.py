"""``torch.autograd.gradcheck`` / ``gradgradcheck``: ``True``, or :class:`GradcheckError`.

The checks run as PyTorch runs them, in its order and in the inputs' own dtype: backward-mode
Jacobians against central differences (slow mode: every entry; fast mode: ``v^T J u`` with
PyTorch's random vectors), reentrancy (``nondet_tol``), forward mode (``check_forward_ad``,
with dual tensors), batched gradients (``check_batched_grad`` through
``autograd.grad(is_grads_batched=True)``; ``check_batched_forward_grad``), backward
multiplied by grad_output, undefined output gradients, gradient dtypes. Failures carry
PyTorch's message; a Jacobian mismatch goes on with adcli's diagnosis (worst entries, culprit
node, notes) from :mod:`adcli.check.gradcheck`, whose report is ``err.report``.

adcli has no ``vmap``: the batched computations run one batch row at a time, so the batched
checks catch backward/jvp formulas that are not reentrant (state, in-place writes to what
they captured), not vmap-incompatible ones. Complex, sparse and ``masked`` inputs do not
exist in adcli.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from adcli.check import gradcheck as _checker
from adcli.check.complex_split import real_view
from adcli.check.report import GradcheckReport
from adcli.engine import forward_ad as fwad
from adcli.engine.backward import grad as _grad
from adcli.engine.function import Function, FunctionNode
from adcli.engine.grad_mode import enable_grad
from adcli.engine.tensor import Tensor

from ._gc_parts import (
    FAILED_BATCHED_GRAD_MSG,
    FAILED_BATCHED_GRAD_MSG_FWD_AD,
    FAST_FAIL_SLOW_OK_MSG,
    GradcheckError,
    T,
    adjusted_atol,
    allclose,
    analytical_jacobian,
    as_tuple,
    batched_msg,
    diff_inputs,
    differentiable,
    forward_jacobian,
    is_float,
    make_vectors,
    notallclose_msg,
    numerical_jacobian,
    numerical_jvp,
)

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class _MismatchError(GradcheckError):
    """A Jacobian mismatch: the one failure adcli's diagnosis is added to."""


def _check_inputs(inputs: tuple[Any, ...]) -> None:
    found = False
    for idx, inp in enumerate(inputs):
        if isinstance(inp, Tensor) and inp.requires_grad:
            if inp._data.dtype not in (np.float64, np.complex128):
                warnings.warn(
                    f"Input #{idx} requires gradient and is not a double precision floating "
                    "point or complex. This check will likely fail if all the inputs are not of "
                    "double precision floating point or complex. ", UserWarning, stacklevel=4)
            data = inp._data
            # an empty array's NumPy strides may be 0 where torch's (contiguous) are not, and
            # no two of its elements can overlap: only a non-empty input is checked
            if data.size and not all(st > 0 or sz <= 1
                                     for st, sz in zip(data.strides, data.shape)):
                raise RuntimeError(
                    f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                    "inputs that are non-overlapping to be able to compute the numerical "
                    "gradients correctly. You should call .contiguous on the input before "
                    "passing it to gradcheck.")
            found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


# -- the Jacobian checks ----------------------------------------------------------------------
def _slow(func: Callable[..., Any], func_out: Any, inputs: tuple[Any, ...],
          outputs: tuple[Tensor, ...], eps: float, rtol: float, atol: float,
          check_grad_dtypes: bool, nondet_tol: float, forward: bool) -> None:
    func_out = as_tuple(func_out)
    diff = diff_inputs(inputs)
    # numerical[i][j]: output i (all outputs, then only those that require grad), input j
    per_input = [numerical_jacobian(func, inputs, x, eps) for x in diff]
    numerical = [list(col) for col in zip(*per_input)] if per_input else []
    if not outputs:
        for col in per_input:
            for jac in col:
                if np.any(jac != 0):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    numerical = [nj for o, nj in zip(func_out, numerical) if o.requires_grad]
    if forward:
        analytical = forward_jacobian(func, inputs)
        for i, n_per_out in enumerate(numerical):
            for j, n in enumerate(n_per_out):
                a = analytical[j][i]
                if not allclose(a, n, rtol, atol):
                    # adcli's diagnosis reads backward mode: none for a forward-mode mismatch
                    raise GradcheckError(notallclose_msg(a, n, i, j, forward=True))
        return
    for i, o in enumerate(outputs):
        analytical = analytical_jacobian(inputs, o, nondet_tol, check_grad_dtypes)
        for j, (a, n) in enumerate(zip(analytical, numerical[i])):
            if not allclose(a, n, rtol, atol):
                raise _MismatchError(notallclose_msg(a, n, i, j))


def _slow_text(func: Callable[..., Any], inputs: tuple[Any, ...], outputs: Sequence[Tensor],
               i: int, j: int, rtol: float, atol: float, eps: float, forward: bool) -> str:
    """What PyTorch adds to a fast-mode failure: the pair's full Jacobians, recomputed."""
    diff = diff_inputs(inputs)
    n = numerical_jacobian(func, inputs, diff[i], eps)[j]
    if forward:
        pos = next(k for k, x in enumerate(inputs) if x is diff[i])

        def one(x: Any) -> Any:
            args = list(inputs)
            args[pos] = x
            return as_tuple(func(*args))[j]

        a = forward_jacobian(one, (diff[i],))[0][0]
    else:
        a = analytical_jacobian(inputs, outputs[j], float("inf"), False)[i]
    dt = np.promote_types(n.dtype, a.dtype)
    diff_max = np.abs(n.astype(dt) - a.astype(dt)).max() if n.size else np.zeros((), dt)
    msg = ("\nThe above quantities relating the numerical and analytical jacobians are computed "
           "\nin fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more "
           "background \nabout fast mode. Below, we recompute numerical and analytical "
           f"jacobians in slow mode:\n\nNumerical:\n {T(n)}\nAnalytical:\n{T(a)}\n\n"
           f"The max per-element difference (slow mode) is: {T(np.asarray(diff_max, dt))}.\n")
    if allclose(a, n, rtol, atol):
        msg += FAST_FAIL_SLOW_OK_MSG
    return msg


def _fast(func: Callable[..., Any], func_out: Any, inputs: tuple[Any, ...],
          outputs: tuple[Tensor, ...], eps: float, rtol: float, atol: float,
          check_grad_dtypes: bool, nondet_tol: float, forward: bool) -> None:
    diff = diff_inputs(inputs)
    all_v, all_u = make_vectors(diff, outputs, forward)
    numerical = []
    for x, u in zip(diff, all_u):
        jus = numerical_jvp(func, inputs, x, u, eps)
        if all_v is not None:
            numerical.append([np.asarray((np.asarray(v, np.promote_types(v.dtype, ju.dtype))
                                          * ju).sum()) for v, ju in zip(all_v, jus)])
        else:
            numerical.append(jus)
    if forward:
        fwd = forward_jacobian(func, inputs, all_u=all_u)
        analytical = fwd  # [input][output]
    else:
        if not outputs:
            for x, u in zip(diff, all_u):
                for ju in numerical_jvp(func, inputs, x, u, eps):
                    if ju.size and np.abs(ju).max() > nondet_tol:
                        raise GradcheckError("Numerical gradient for function expected to be zero")
        analytical = []  # [output][input]
        for o, v in zip(outputs, all_v or []):
            vjs = analytical_jacobian(inputs, o, nondet_tol, check_grad_dtypes, v=v)
            analytical.append([np.asarray(vj[:, 0] @ u) for vj, u in zip(vjs, all_u)])
    for i, n_for_input in enumerate(numerical):
        for j, n in enumerate(n_for_input):
            a = analytical[i][j] if forward else analytical[j][i]
            tol = adjusted_atol(atol, all_u[i], all_v[j] if all_v else None)
            if not allclose(a, n, rtol, tol):
                error = GradcheckError if forward else _MismatchError
                raise error(notallclose_msg(a, n, j, i, forward)
                            + _slow_text(func, inputs, outputs, i, j, rtol, atol, eps, forward))


# -- the other checks -------------------------------------------------------------------------
def _zeros_as(t: Tensor) -> Tensor:
    return T(np.zeros_like(t._data))


def _test_batched_grad(inputs: tuple[Any, ...], output: Tensor, output_idx: int) -> None:
    from adcli.engine.ops.shape import stack
    from adcli.engine.rng.ops import randn_like

    diff = diff_inputs(inputs)

    def vjp(v: Tensor) -> list[Tensor]:
        gs = _grad(output, diff, v, retain_graph=True, allow_unused=True)
        return [g if g is not None else _zeros_as(x) for g, x in zip(gs, diff)]

    grad_outputs = [randn_like(output) for _ in range(2)]
    expected = [stack([r[k] for r in (vjp(g) for g in grad_outputs)]) for k in range(len(diff))]
    try:
        gs = _grad(output, diff, stack(grad_outputs), retain_graph=True, allow_unused=True,
                   is_grads_batched=True)
    except RuntimeError as ex:
        raise GradcheckError(
            f"While computing batched gradients, got: {ex}\n\n{FAILED_BATCHED_GRAD_MSG}"
        ) from ex
    result = [g if g is not None else T(np.zeros((2, *x._data.shape), x._data.dtype))
              for g, x in zip(gs, diff)]
    for input_idx, (res, exp) in enumerate(zip(result, expected)):
        if not allclose(res._data, exp._data, 1e-05, 1e-08):
            raise GradcheckError(batched_msg(output_idx, input_idx, res, exp))


def _test_batched_grad_forward_ad(func: Callable[..., Any], inputs: tuple[Any, ...]) -> None:
    from adcli.engine.ops.shape import stack
    from adcli.engine.rng.ops import randn_like

    for input_idx, current in enumerate(inputs):
        if not (isinstance(current, Tensor) and current.requires_grad):
            continue

        def jvp(tangent: Tensor, idx: int = input_idx, cur: Tensor = current) -> tuple[Any, ...]:
            with fwad.dual_level():
                dual = fwad.make_dual(cur.detach(), tangent)
                args = tuple(dual if k == idx else (a.detach() if isinstance(a, Tensor) else a)
                             for k, a in enumerate(inputs))
                ret = []
                for o in as_tuple(func(*args)):
                    if o is None:
                        continue
                    p, t = fwad.unpack_dual(o)
                    ret.append(t if t is not None else _zeros_as(p))
                return tuple(ret)

        if not is_float(current):
            continue
        tangents = [randn_like(current) for _ in range(2)]
        expected = [stack(list(shards)) for shards in zip(*[jvp(t) for t in tangents])]
        try:
            batch = stack(tangents)
            rows = [jvp(batch[b]) for b in range(2)]  # no vmap: one row at a time
            result = [stack(list(shards)) for shards in zip(*rows)]
        except RuntimeError as ex:
            raise GradcheckError(f"While computing batched gradients, got: {ex}\n\n"
                                 f"{FAILED_BATCHED_GRAD_MSG_FWD_AD}") from ex
        for k, (res, exp) in enumerate(zip(result, expected)):
            if not allclose(res._data, exp._data, 1e-05, 1e-08):
                # PyTorch names the output index for both (its loop reuses the name)
                raise GradcheckError(batched_msg(k, k, res, exp, forward=True))


def _test_backward_mul_by_grad_output(outputs: tuple[Tensor, ...],
                                      inputs: tuple[Any, ...]) -> None:
    diff = diff_inputs(inputs)
    if not diff:
        raise GradcheckError("no Tensors requiring grad found in input")
    gis = _grad(list(outputs), diff, [_zeros_as(o) for o in outputs], allow_unused=True)
    for gi, di in zip(gis, diff):
        if gi is None:
            continue
        if np.any(gi._data != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if gi._data.dtype != di._data.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi._data.shape != di._data.shape:
            raise GradcheckError("grad is incorrect size")


class _UndefinedGrad(Function):
    """PyTorch's ``UndefinedGrad``: an identity whose backward passes an undefined gradient."""

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> None:
        return None


_NOTES = 'Please look at "Notes about undefined output gradients" in ' \
         '"tools/autograd/derivatives.yaml"'


def _test_undefined_backward_mode(func: Callable[..., Any], outputs: tuple[Tensor, ...],
                                  inputs: tuple[Any, ...]) -> None:
    diff = diff_inputs(inputs)
    if not diff:
        raise GradcheckError("no Tensors requiring grad found in input")

    def warn_bc_breaking() -> None:
        warnings.warn(
            "Backwards compatibility: New undefined gradient support checking feature is "
            "enabled by default, but it may break existing callers of this function. If this is "
            'true for you, you can call this function with "check_undefined_grad=False" to '
            "disable the feature", UserWarning, stacklevel=4)

    def check(outs: list[Tensor]) -> None:
        try:
            gis = _grad(outs, diff, [_zeros_as(o) for o in outs], allow_unused=True)
        except RuntimeError as e:
            warn_bc_breaking()
            raise GradcheckError("Expected backward function to handle undefined output grads. "
                                 + _NOTES) from e
        for gi in gis:
            if gi is not None and np.any(gi._data != 0):
                warn_bc_breaking()
                raise GradcheckError("Expected all input grads to be undefined or zero when all "
                                     "output grads are undefined or zero. " + _NOTES)

    def all_undefined(outs: Sequence[Tensor]) -> None:
        # adcli's engine skips a node whose gradients are all undefined; PyTorch calls it, and
        # a custom Function's backward then sees None (or zeros when it materializes them)
        seen = set()
        for o in outs:
            node = o.grad_fn
            if isinstance(node, FunctionNode) and id(node) not in seen:
                seen.add(id(node))
                try:
                    gis = node.apply([None] * node.n_outputs, False)
                except RuntimeError as e:
                    warn_bc_breaking()
                    raise GradcheckError("Expected backward function to handle undefined "
                                         "output grads. " + _NOTES) from e
                if any(gi is not None and np.any(gi != 0) for gi in gis):
                    warn_bc_breaking()
                    raise GradcheckError("Expected all input grads to be undefined or zero "
                                         "when all output grads are undefined or zero. " + _NOTES)

    with enable_grad():
        firsts = [o for o in differentiable(func(*inputs)) if isinstance(o, Tensor)]
        all_undefined(firsts)
        to_check = [[_UndefinedGrad.apply(o) for o in firsts]]
        if len(to_check[0]) > 1:
            for undef in range(len(outputs)):
                outs = differentiable(func(*inputs))
                to_check.append([_UndefinedGrad.apply(o) if k == undef else o
                                 for k, o in enumerate(outs)])
    for outs in to_check:
        check(outs)


def _test_undefined_forward_mode(func: Callable[..., Any], outputs: tuple[Tensor, ...],
                                 inputs: tuple[Any, ...]) -> None:
    diff = diff_inputs(inputs)
    _, all_u = make_vectors(diff, outputs, forward=True)
    with fwad.dual_level():
        duals: list[Any] = []
        tangents = []
        indices = set()
        for i, inp in enumerate(inputs):
            if isinstance(inp, Tensor) and inp.requires_grad:
                inp = fwad.make_dual(inp.detach(), _zeros_as(inp))
                tangents.append(fwad.unpack_dual(inp).tangent)
                indices.add(i)
            duals.append(inp)
        for t, u in zip(tangents, all_u):
            t._data[...] = u.reshape(t._data.shape)
        for idx, inp in enumerate(inputs):
            if idx not in indices:
                continue
            keep = duals[idx]
            duals[idx] = fwad.make_dual(inp.detach(), _zeros_as(inp))
            outs1 = [o for o in as_tuple(func(*duals)) if is_float(o)]
            duals[idx] = inp.detach()
            outs2 = [o for o in as_tuple(func(*duals)) if is_float(o)]
            duals[idx] = keep
            for index_o, (d1, d2) in enumerate(zip(outs1, outs2)):
                r1 = fwad.unpack_dual(d1).tangent
                r2 = fwad.unpack_dual(d2).tangent
                if r1 is not None and r2 is not None and not allclose(
                        r1._data, r2._data, 1e-05, 1e-08):
                    raise GradcheckError("Mismatch in tangent values for output with index: ",
                                         index_o, " when input: ", inp,
                                         " has an undefined tangent value. ", " Got: ", r1,
                                         " but expected: ", r2)


# -- the entry points -------------------------------------------------------------------------
def _helper(func: Callable[..., Any], inputs: Any, eps: float, atol: float, rtol: float,
            nondet_tol: float, check_undefined_grad: bool, check_grad_dtypes: bool,
            check_batched_grad: bool, check_batched_forward_grad: bool,
            check_forward_ad: bool, check_backward_ad: bool, fast_mode: bool) -> bool:
    tupled = as_tuple(inputs)
    _check_inputs(tupled)
    with enable_grad():
        func_out = func(*tupled)
        outputs = differentiable(func_out)
        check = _fast if fast_mode else _slow
        if check_backward_ad:
            check(func, func_out, tupled, outputs, eps, rtol, atol, check_grad_dtypes,
                  nondet_tol, forward=False)
        if check_forward_ad:
            check(func, func_out, tupled, outputs, eps, rtol, atol, check_grad_dtypes,
                  nondet_tol, forward=True)
            if check_undefined_grad:
                _test_undefined_forward_mode(func, outputs, tupled)
        if check_batched_forward_grad:
            _test_batched_grad_forward_ad(func, tupled)
        if not check_backward_ad:
            return True
        for i, o in enumerate(outputs):
            if check_batched_grad:
                _test_batched_grad(tupled, o, i)
        _test_backward_mul_by_grad_output(outputs, tupled)
        if check_undefined_grad:
            _test_undefined_backward_mode(func, outputs, tupled)
    return True


def _diagnosis(report: GradcheckReport) -> str:
    """adcli's reading of a failed check: summary, worst entries, culprit, notes."""
    if report.ok:
        return ("adcli: its own check (in float64, with its step and tolerance rules) passes: "
                "the mismatch comes from the inputs' precision or the step\n")
    lines = [f"adcli: {report.summary()}"]
    if report.error:
        lines.append(f"gradcheck could not complete: {report.error}")
    for m in report.mismatches[:10]:
        where = f"{m.input}[{', '.join(map(str, m.index))}]" if m.index else m.input
        out = f"{m.output}[{', '.join(map(str, m.output_index))}]" if m.output_index \
            else m.output
        lines.append(f"  d {out} / d {where}: analytical {m.analytical:.6g}, numerical "
                     f"{m.numerical:.6g}")
    if report.culprit is not None:
        c = report.culprit
        lines.append(f"culprit: {c.node}" + (f": {c.detail}" if c.detail else ""))
    for n in report.notes:
        if n.kind != "promotion":
            lines.append(f"note ({n.kind}): {n.message}")
    return "\n".join(lines) + "\n"


def _with_diagnosis(err: _MismatchError, run: Callable[[], GradcheckReport]) -> GradcheckError:
    try:
        report = run()
    except Exception as exc:  # the diagnosis must never hide PyTorch's message
        out = GradcheckError(f"{err}adcli: no diagnosis ({type(exc).__name__}: {exc})\n")
        return out
    out = GradcheckError(f"{err}{_diagnosis(report)}")
    out.report = report
    return out


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-06,
              atol: float = 1e-05, rtol: float = 0.001, raise_exception: bool = True,
              nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False,
              masked: bool | None = None) -> bool:
    """Check ``func``'s derivatives against finite differences; ``True`` or GradcheckError."""
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True")
    # torch checks complex inputs and outputs through their real and imaginary parts
    func, inputs, _ = real_view(func, inputs)
    args = as_tuple(inputs)
    names = [f"input{j}" for j in range(len(diff_inputs(args)))]
    return _run(lambda: _helper(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
                                check_grad_dtypes, check_batched_grad,
                                check_batched_forward_grad, check_forward_ad,
                                check_backward_ad, fast_mode),
                raise_exception,
                lambda: _checker.gradcheck(func, args, eps=eps, atol=atol, rtol=rtol,
                                           fast_mode=fast_mode, names=names,
                                           detached="follow"))


def _run(check: Callable[[], bool], raise_exception: bool,
         diagnose: Callable[[], GradcheckReport]) -> bool:
    """``True``; on failure False or the error (a Jacobian mismatch with adcli's diagnosis)."""
    try:
        return check()
    except _MismatchError as err:
        if not raise_exception:
            return False
        raise _with_diagnosis(err, diagnose) from None
    except GradcheckError:
        if not raise_exception:
            return False
        raise


def _make_grad_output(x: Tensor, noncontiguous: bool) -> Tensor:
    """``torch.testing.make_tensor(shape, low=-1, high=1, requires_grad=True)``: the same
    draws from the global generator."""
    from adcli.engine.creation import empty

    dt = x.dtype if x._data.dtype.kind in "fc" else None
    shape = tuple(x._data.shape)
    if noncontiguous and shape:
        shape = (*shape[:-1], 2 * shape[-1])
    # the shape as one tuple: a 0-d output has no size arguments, which empty() refuses
    t = empty(shape, dtype=dt) if dt is not None else empty(shape, dtype=_float64())
    t.uniform_(-1, 1)
    if noncontiguous and shape:
        t = T(np.ascontiguousarray(t._data[..., 1::2]))
    return t.requires_grad_(True)


def _float64() -> Any:
    from adcli.engine.dtypes import float64

    return float64


def gradgradcheck(func: Callable[..., Any], inputs: Any,
                  grad_outputs: Tensor | Sequence[Tensor | None] | None = None, *,
                  eps: float = 1e-06, atol: float = 1e-05, rtol: float = 0.001,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: ``gradcheck`` of the first derivatives with respect to the
    inputs and the grad_outputs; ``True`` or GradcheckError."""
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True")
    tupled = as_tuple(inputs)
    if grad_outputs is None:
        with enable_grad():
            outs = differentiable(func(*tupled))
        tupled_grads = tuple(_make_grad_output(x, gen_non_contig_grad_outputs) for x in outs)
    else:
        tupled_grads = as_tuple(grad_outputs)
    n_out = len(tupled_grads)
    diff_in = {i for i, x in enumerate(tupled) if isinstance(x, Tensor) and x.requires_grad}
    diff_go = {i for i, x in enumerate(tupled_grads) if x.requires_grad}

    def new_func(*args: Any) -> tuple[Tensor, ...]:
        # forward AD hands over detached inputs: their requires_grad is given back
        ins = tuple(x.requires_grad_() if i in diff_in else x
                    for i, x in enumerate(args[:-n_out] if n_out else args))
        outs = differentiable(func(*ins))
        gos = tuple(x.requires_grad_() if i in diff_go else x
                    for i, x in enumerate(args[-n_out:] if n_out else ()))
        gis = _grad(list(outs), [x for i, x in enumerate(ins) if i in diff_in], list(gos),
                    create_graph=True, allow_unused=True)
        return tuple(g for g in gis if g is not None)

    names = [f"input{j}" for j in range(len(diff_in))]
    return _run(lambda: _helper(new_func, tupled + tupled_grads, eps, atol, rtol, nondet_tol,
                                check_undefined_grad, check_grad_dtypes, check_batched_grad,
                                False, check_fwd_over_rev, check_rev_over_rev, fast_mode),
                raise_exception,
                lambda: _checker.gradgradcheck(func, tupled, list(tupled_grads), eps=eps,
                                               atol=atol, rtol=rtol, fast_mode=fast_mode,
                                               names=names, detached="follow"))
