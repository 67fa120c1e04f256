"""Complex numbers in gradcheck, as torch checks them: with real checks.

torch's convention makes the gradient of a real loss L with respect to a complex input
z = x + iy the conjugate Wirtinger derivative dL/dx + i dL/dy, so a complex input is checked
as its two real parts: the checked function sees ``torch.complex(x, y)`` of two real leaves,
and the backward of ComplexBackward0 hands each leaf its part of the input's gradient
(real(grad), imag(grad)). A complex output is checked as ``view_as_real(output)``: its real
and imaginary parts as real outputs (torch checks them one after the other). Finite
differences then perturb real and imaginary parts separately, as torch's do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from adcli.engine.tensor import Tensor


def _is_complex(x: Any) -> bool:
    return isinstance(x, Tensor) and x._data.dtype.kind == "c"


def has_complex(inputs: Sequence[Any]) -> bool:
    """Whether a checked input is complex."""
    return any(_is_complex(x) and x.requires_grad for x in inputs)


def split_inputs(fn: Callable[..., Any], inputs: Sequence[Any],
                 names: Sequence[str] | None = None
                 ) -> tuple[Callable[..., Any], tuple[Any, ...], list[str] | None]:
    """``fn`` on real arguments: each complex input that requires grad becomes two real
    leaves (its real and imaginary parts, named ``<name>.real`` / ``<name>.imag``), and every
    complex output is seen through ``view_as_real``. Returns the function, its arguments and
    the names of the checked (real) inputs."""
    from adcli.engine.ops.complex_parts import complex as make_complex

    args: list[Any] = []
    plan: list[int] = []  # per original input: 2 (split) or 1 (as it is)
    if names is None:  # (the report's default names: input<position>, or input for one)
        names = [f"input{k}" if len(inputs) > 1 else "input" for k, x in enumerate(inputs)
                 if isinstance(x, Tensor) and x.requires_grad and x._data.dtype.kind in "fc"]
    out_names: list[str] = []
    k = 0
    for x in inputs:
        checked = isinstance(x, Tensor) and x.requires_grad and x._data.dtype.kind in "fc"
        if _is_complex(x) and x.requires_grad:
            for part in (x._data.real, x._data.imag):
                leaf = Tensor._make(part.copy(), None, 0, None)
                leaf.requires_grad_(True)
                args.append(leaf)
            plan.append(2)
            out_names += [f"{names[k]}.real", f"{names[k]}.imag"]
        else:
            args.append(x)
            plan.append(1)
            if checked:
                out_names.append(names[k])
        k += checked

    def real_fn(*a: Any) -> Any:
        orig, i = [], 0
        for n in plan:
            orig.append(make_complex(a[i], a[i + 1]) if n == 2 else a[i])
            i += n
        return real_outputs(fn(*orig))

    return real_fn, tuple(args), out_names


def real_outputs(out: Any) -> Any:
    """``out`` with each complex tensor replaced by ``view_as_real`` of it."""
    from adcli.engine.ops.complex_parts import resolve_conj, view_as_real

    def one(o: Any) -> Any:
        return view_as_real(resolve_conj(o)) if _is_complex(o) else o

    if isinstance(out, tuple | list):
        if not any(_is_complex(o) for o in out):
            return out
        items = [one(o) for o in out]
        # a named tuple (torch.return_types) takes its fields as arguments
        return type(out)(*items) if hasattr(out, "_fields") else type(out)(items)
    return one(out)


def real_view(fn: Callable[..., Any], inputs: Any, names: Sequence[str] | None = None
              ) -> tuple[Callable[..., Any], Any, list[str] | None]:
    """``(fn, inputs, names)`` made real for a check (unchanged without complex inputs; complex
    outputs are always seen through ``view_as_real``)."""
    tupled = tuple(inputs) if isinstance(inputs, tuple | list) else (inputs,)
    if has_complex(tupled):
        return split_inputs(fn, tupled, names)

    def real_fn(*a: Any) -> Any:
        return real_outputs(fn(*a))

    return real_fn, inputs, None if names is None else list(names)
