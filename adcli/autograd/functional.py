"""``torch.autograd.functional``: jacobian, hessian, vjp, jvp, hvp and vhp.

Same arguments, output structure (a tensor, or tuples following the tuple-ness of inputs and
outputs), ``strict`` errors and ``create_graph`` behaviour as PyTorch's. ``jvp`` and ``hvp``
use the double-backward trick PyTorch uses (no forward-mode AD). ``vectorize=True`` is
accepted and computes the same result row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adcli.engine.backward import grad as _grad
from adcli.engine.creation import zeros_like
from adcli.engine.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from adcli.engine.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

Func = Callable[..., Any]


def _as_tuple(x: Any, arg: str, fn: str) -> tuple[bool, tuple[Any, ...]]:
    """(was it a tuple, the tuple); every element must be a Tensor."""
    is_tuple = isinstance(x, tuple)
    xs = x if is_tuple else (x,)
    for i, el in enumerate(xs):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg}"
            raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but the {where} has type {type(el)}.")
    return is_tuple, xs


def _unpack(res: tuple[Any, ...], outer: bool, inner: bool | None = None) -> Any:
    if inner is not None and not inner:
        res = tuple(r[0] for r in res)
    return res if outer else res[0]


def _prep(xs: tuple[Tensor, ...], create_graph: bool, need_graph: bool) -> tuple[Tensor, ...]:
    # With create_graph, inputs that require grad stay in the user's graph (through a view).
    return tuple(x.view_as(x) if create_graph and x.requires_grad
                 else x.detach().requires_grad_(need_graph) for x in xs)


def _post(xs: Any, create_graph: bool) -> Any:
    if isinstance(xs, Tensor):
        return xs if create_graph else xs.detach()
    return tuple(_post(x, create_graph) for x in xs)


def _check_v(v: tuple[Tensor, ...], other: tuple[Tensor, ...], other_is_tuple: bool) -> None:
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.size() != b.size():
            pre = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(f"{pre}v has invalid size: should be {b.size()} but got "
                               f"{a.size()}.")


_STRICT = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The "
               "outputs must be computed in a differentiable manner from the input when running "
               "in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
                   "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
                "function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
               "independent of the input. This is not allowed in strict mode. You should ensure "
               "that your function is thrice differentiable and that the hessian depends on the "
               "inputs.",
}


def _check_requires_grad(xs: tuple[Any, ...], kind: str, strict: bool) -> None:
    if not strict:
        return
    for i, x in enumerate(xs):
        if x is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not x.requires_grad:
            raise RuntimeError(_STRICT[kind].format(i=i))


def _grads(outputs: tuple[Any, ...], inputs: tuple[Tensor, ...], grad_outputs: Any = None,
           create_graph: bool = False, retain_graph: bool | None = None) -> tuple[Any, ...]:
    """autograd.grad over the outputs that require grad; all None when none does."""
    gos = grad_outputs if grad_outputs is not None else (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, gos) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _grad([o for o, _ in pairs], inputs, [g for _, g in pairs], allow_unused=True,
                 create_graph=create_graph, retain_graph=retain_graph)


_ZERO_MSG = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
            "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
                         "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward "
                         "mode AD.",
}


def _fill_zeros(grads: tuple[Any, ...], refs: tuple[Tensor, ...], strict: bool,
                create_graph: bool, stage: str) -> tuple[Tensor, ...]:
    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MSG[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        out.append(g)
    return tuple(out)


def _v_none_check(v: Any, xs: tuple[Tensor, ...], of: str) -> None:
    if v is None and (len(xs) != 1 or xs[0].numel() != 1):
        raise RuntimeError(f"The vector v can only be None if the {of} a single Tensor with a "
                           "single element.")


def vjp(func: Func, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v^T J)``: the vector-Jacobian product."""
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
        xs = _prep(xs, create_graph, True)
        out_tuple, outs = _call(func, xs, strict, "vjp")
        if v is not None:
            vs = _prep(_as_tuple(v, "v", "vjp")[1], create_graph, False)
            _check_v(vs, outs, out_tuple)
        else:
            _v_none_check(v, outs, "user-provided function returns")
            vs = None
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_zeros(_grads(outs, xs, vs, create_graph), xs, strict, create_graph, "back")
    return (_unpack(_post(outs, create_graph), out_tuple),
            _unpack(_post(res, create_graph), in_tuple))


def _inputs_and_v(inputs: Any, v: Any, create_graph: bool, fn: str
                  ) -> tuple[bool, tuple[Tensor, ...], tuple[Tensor, ...] | None]:
    """The inputs (prepared) and ``v`` of jvp/vhp/hvp, ``v`` checked against the inputs."""
    in_tuple, xs = _as_tuple(inputs, "inputs", fn)
    xs = _prep(xs, create_graph, True)
    if v is None:
        _v_none_check(v, xs, "input to the user-provided function is")
        return in_tuple, xs, None
    vs = _prep(_as_tuple(v, "v", fn)[1], create_graph, False)
    _check_v(vs, xs, in_tuple)
    return in_tuple, xs, vs


def _call(func: Func, xs: tuple[Tensor, ...], strict: bool, fn: str
          ) -> tuple[bool, tuple[Tensor, ...]]:
    """``func(*xs)`` as a tuple (and whether it was one), its outputs checked in strict mode."""
    out_tuple, outs = _as_tuple(func(*xs), "outputs of the user-provided function", fn)
    _check_requires_grad(outs, "outputs", strict)
    return out_tuple, outs


def jvp(func: Func, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), J v)``, by the double-backward trick (as PyTorch)."""
    with enable_grad():
        _, xs, vs = _inputs_and_v(inputs, v, create_graph, "jvp")
        out_tuple, outs = _call(func, xs, strict, "jvp")
        # The backward is linear in these: their value never matters (zeros, no NaN).
        gos = tuple(zeros_like(o, requires_grad=True) for o in outs)
        gins = _grads(outs, xs, gos, create_graph=True)
        _check_requires_grad(gins, "grad_inputs", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_zeros(_grads(gins, gos, vs, create_graph), outs, strict, create_graph,
                          "back_trick")
    return (_unpack(_post(outs, create_graph), out_tuple),
            _unpack(_post(res, create_graph), out_tuple))


def jacobian(func: Func, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian: ``out.shape + in.shape`` per (output, input), nested as PyTorch's."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode" and create_graph:
        raise NotImplementedError(
            "torch.autograd.functional.jacobian: `create_graph=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`create_graph=False` or `strategy="reverse-mode"`.')
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
        xs = _prep(xs, create_graph, True)
        out_tuple, outs = _call(func, xs, strict, "jacobian")
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or "
                "`vectorize=False`.")
        from adcli.engine.registry import TORCH

        stack = TORCH["stack"]
        result = []
        for i, out in enumerate(outs):
            rows: list[list[Tensor]] = [[] for _ in xs]
            flat = out.reshape(-1)
            for j in range(out.numel()):
                vj = _grads((flat[j],), xs, retain_graph=True, create_graph=create_graph)
                for k, (g, x) in enumerate(zip(vj, xs)):
                    if g is not None:
                        if strict and create_graph and not g.requires_grad:
                            raise RuntimeError(
                                f"The jacobian of the user-provided function is independent of "
                                f"input {i}. This is not allowed in strict mode when "
                                "create_graph=True.")
                        rows[k].append(g)
                    else:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {k}. This is not allowed in strict mode.")
                        rows[k].append(zeros_like(x))
            result.append(tuple(
                stack(r, 0).view(*out.shape, *x.shape) if r
                else zeros_like(x).new_zeros(*out.shape, *x.shape)
                for r, x in zip(rows, xs)))
        return _unpack(_post(tuple(result), create_graph), out_tuple, in_tuple)


def hessian(func: Func, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a function returning one element, nested as PyTorch's."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single(*inp: Tensor) -> Tensor:
        out = func(*inp)
        is_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        if is_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def jac(*inp: Tensor) -> Any:
        j = jacobian(single, inp, create_graph=True)
        _check_requires_grad(j, "jacobian", strict)
        return j

    res = jacobian(jac, xs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _unpack(res, in_tuple, in_tuple)


def _single_output(outs: tuple[Tensor, ...], out_tuple: bool, fn: str) -> None:
    if out_tuple or not isinstance(outs[0], Tensor):
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a "
                           "single element")


def vhp(func: Func, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v^T H)``: the vector-Hessian product."""
    with enable_grad():
        in_tuple, xs, vs = _inputs_and_v(inputs, v, create_graph, "vhp")
        out_tuple, outs = _call(func, xs, strict, "vhp")
        _single_output(outs, out_tuple, "vhp")
        j = _grads(outs, xs, create_graph=True)
        _check_requires_grad(j, "jacobian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_zeros(_grads(j, xs, vs, create_graph), xs, strict, create_graph,
                          "double_back")
    return (_unpack(_post(outs, create_graph), out_tuple),
            _unpack(_post(res, create_graph), in_tuple))


def hvp(func: Func, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), H v)``, by the double-backward trick (as PyTorch)."""
    with enable_grad():
        in_tuple, xs, vs = _inputs_and_v(inputs, v, create_graph, "hvp")
        out_tuple, outs = _call(func, xs, strict, "hvp")
        _single_output(outs, out_tuple, "hvp")
        j = _grads(outs, xs, create_graph=True)
        _check_requires_grad(j, "jacobian", strict)
        grad_jac = tuple(zeros_like(x, requires_grad=True) for x in xs)
        double_back = _grads(j, xs, grad_jac, create_graph=True)
        _check_requires_grad(j, "hessian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_zeros(_grads(double_back, grad_jac, vs, create_graph), xs, strict,
                          create_graph, "double_back_trick")
    return (_unpack(_post(outs, create_graph), out_tuple),
            _unpack(_post(res, create_graph), in_tuple))
