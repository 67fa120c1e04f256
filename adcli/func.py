"""``torch.func`` for adcli: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap and
functional_call, with torch.func's arguments, output structure and error messages.

adcli has one autodiff mode (reverse), so the transforms are built on it: every transform
differentiates with create_graph=True, which is what lets them nest (``grad(grad(f))``,
``jacfwd(jacrev(f))``); jvp and jacfwd take the double-vjp route and give the values forward
mode would. vmap runs the function once per sample and stacks the results (the same values as
torch's batching rules; randomness='different' draws per sample, so its numbers differ from
torch's batched draw). At the outermost transform the results are detached, as torch.func's
are, unless an input requires grad in the ordinary autograd sense.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .engine.backward import grad as _autograd_grad
from .engine.creation import zeros_like
from .engine.grad_mode import enable_grad
from .engine.rng import generator as _rng
from .engine.tensor import Tensor

__all__ = ["functional_call", "functionalize", "grad", "grad_and_value", "hessian", "jacfwd",
           "jacrev", "jvp", "linearize", "replace_all_batch_norm_modules_", "stack_module_state",
           "vjp", "vmap"]

_DEPTH = [0]  # how many transforms are running (results are detached when it returns to 0)


# ----------------------------------------------------------------------------------------------
# pytrees: tensors nested in tuples, lists and dicts
# ----------------------------------------------------------------------------------------------
class _Spec:
    """The structure of a pytree (torch.utils._pytree.TreeSpec, as its messages print it)."""

    def __init__(self, kind: Any, context: Any = None, children: list[_Spec] | None = None):
        self.kind, self.context, self.children = kind, context, children or []

    @property
    def is_leaf(self) -> bool:
        return self.kind is None

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, _Spec) and self.kind == other.kind
                and self.context == other.context and self.children == other.children)

    def __repr__(self) -> str:
        if self.is_leaf:
            return "*"
        kids = ",\n  ".join(repr(c) for c in self.children)
        ctx = None if self.context is None else list(self.context)
        return f"TreeSpec({self.kind.__name__}, {ctx}, [{kids}])"


def _pprint(spec: _Spec) -> str:
    """A structure as torch's treespec_pprint prints it: *, (*, *), [*], {'a': *}."""
    if spec.is_leaf:
        return "*"
    kids = [_pprint(c) for c in spec.children]
    if spec.kind is dict:
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(spec.context, kids)) + "}"
    if spec.kind is list:
        return "[" + ", ".join(kids) + "]"
    return "(" + ", ".join(kids) + ("," if len(kids) == 1 else "") + ")"


def _flatten(tree: Any) -> tuple[list[Any], _Spec]:
    if isinstance(tree, tuple | list):
        leaves: list[Any] = []
        kids = []
        for x in tree:
            lv, sp = _flatten(x)
            leaves += lv
            kids.append(sp)
        return leaves, _Spec(type(tree) if type(tree) in (tuple, list) else tuple, None, kids)
    if isinstance(tree, dict):
        leaves, kids = [], []
        for k in tree:
            lv, sp = _flatten(tree[k])
            leaves += lv
            kids.append(sp)
        return leaves, _Spec(dict, tuple(tree), kids)
    return [tree], _Spec(None)


def _unflatten(leaves: list[Any], spec: _Spec) -> Any:
    it = iter(leaves)

    def build(sp: _Spec) -> Any:
        if sp.is_leaf:
            return next(it)
        items = [build(c) for c in sp.children]
        if sp.kind is dict:
            return dict(zip(sp.context, items))
        return sp.kind(items)

    return build(spec)


# ----------------------------------------------------------------------------------------------
# shared pieces
# ----------------------------------------------------------------------------------------------
def _lift(x: Any) -> Tensor:
    """A tensor to differentiate with respect to, still linked to x's own history."""
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if not x.dtype.is_floating_point:
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    return x.view_as(x) if x.requires_grad else x.detach().requires_grad_()


def _argnums(argnums: Any, n_args: int) -> tuple[int, ...]:
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        nums: tuple[int, ...] = (argnums,)
    elif isinstance(argnums, tuple) and all(isinstance(a, int) for a in argnums):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        nums = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    out = []
    for a in nums:
        if not -n_args <= a < n_args:
            raise RuntimeError(f"Got argnum={a}, but only {n_args} positional inputs")
        out.append(a % n_args)
    if len(set(out)) != len(out):
        raise RuntimeError(f"argnums must be unique, got {argnums}")
    return tuple(out)


def _any_requires_grad(*trees: Any) -> bool:
    return any(isinstance(x, Tensor) and x.requires_grad for t in trees for x in _flatten(t)[0])


def _finish(tree: Any, keep: bool) -> Any:
    if keep:
        return tree
    leaves, spec = _flatten(tree)
    return _unflatten([x.detach() if isinstance(x, Tensor) else x for x in leaves], spec)


def _grads(outputs: list[Tensor], inputs: list[Tensor], cotangents: list[Tensor] | None = None
           ) -> list[Tensor]:
    """d<outputs, cotangents>/d inputs, recorded; zeros where an input is not used."""
    live = [(o, c) for o, c in zip(outputs, cotangents or [None] * len(outputs))
            if o.requires_grad]
    if not live or not inputs:
        return [zeros_like(x) for x in inputs]
    outs = [o for o, _ in live]
    cots = None if cotangents is None else [c for _, c in live]
    got = _autograd_grad(outs, inputs, grad_outputs=cots, retain_graph=True, create_graph=True,
                         allow_unused=True)
    return [zeros_like(x) if g is None else g for g, x in zip(got, inputs)]


class _Lifted:
    """args with the positions in ``nums`` replaced by lifted tensors."""

    def __init__(self, args: tuple[Any, ...], nums: tuple[int, ...]) -> None:
        self.args = list(args)
        self.specs: list[_Spec] = []
        self.inputs: list[Tensor] = []
        self.counts: list[int] = []
        for i in nums:
            leaves, spec = _flatten(args[i])
            new = [_lift(x) for x in leaves]
            self.args[i] = _unflatten(new, spec)
            self.specs.append(spec)
            self.inputs += new
            self.counts.append(len(new))

    def regroup(self, flat: list[Any], single: bool) -> Any:
        trees, k = [], 0
        for spec, n in zip(self.specs, self.counts):
            trees.append(_unflatten(flat[k:k + n], spec))
            k += n
        return trees[0] if single else tuple(trees)


def _enter() -> None:
    _DEPTH[0] += 1


def _leave() -> bool:
    """Leave a transform; True when its results keep their graph (an outer one is running)."""
    _DEPTH[0] -= 1
    return _DEPTH[0] > 0


def _call(func: Callable[..., Any], args: tuple[Any, ...], nums: tuple[int, ...],
          kwargs: dict[str, Any], has_aux: bool, fn: str) -> tuple[_Lifted, Any, Any]:
    """Call ``func`` on ``args`` with the ``nums`` positions lifted: (lifted, output, aux)."""
    lifted = _Lifted(args, nums)
    out = func(*lifted.args, **kwargs)
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise RuntimeError(f"{fn}: output of function f should be a tuple: (output, aux) "
                               "if has_aux is True")
        out, aux = out
    return lifted, out, aux


# ----------------------------------------------------------------------------------------------
# grad, grad_and_value, vjp, jvp
# ----------------------------------------------------------------------------------------------
def grad_and_value(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False
                   ) -> Callable[..., Any]:
    """``torch.func.grad_and_value``: (gradient, value) of a scalar function."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args))
        _enter()
        try:
            with enable_grad():
                lifted, out, aux = _call(func, args, nums, kwargs, has_aux,
                                         "grad_and_value(f)(*args)")
                if not isinstance(out, Tensor):
                    raise RuntimeError(
                        "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                        f"{type(out)}")
                if out.dim() != 0:
                    raise RuntimeError(
                        "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                        f"got tensor with {out.dim()} dims. Maybe you wanted to use the vjp or "
                        "jacrev APIs instead?")
                flat = _grads([out], lifted.inputs)
        finally:
            keep = _leave()
        keep = keep or _any_requires_grad(args, kwargs)
        g = _finish(lifted.regroup(flat, isinstance(argnums, int)), keep)
        value = _finish(out, keep)
        if has_aux:
            return g, (value, _finish(aux, keep))
        return g, value

    return wrapper


def grad(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """``torch.func.grad``: the gradient of a scalar function with respect to ``argnums``."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def _check_outputs(out: Any, fn: str) -> tuple[list[Tensor], _Spec]:
    leaves, spec = _flatten(out)
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"{fn}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(x)}")
    return leaves, spec


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``torch.func.vjp``: (output, vjp_fn), where vjp_fn(cotangents) -> one gradient per
    primal."""
    _enter()
    try:
        with enable_grad():
            lifted, out, aux = _call(func, primals, tuple(range(len(primals))), {}, has_aux,
                                     "vjp(f, *primals)")
            outs, spec = _check_outputs(out, "vjp(f, *primals)")
    finally:
        keep = _leave()
    keep = keep or _any_requires_grad(primals)

    def vjp_fn(cotangents: Any, *, retain_graph: bool = True, create_graph: Any = None) -> Any:
        cots, cspec = _flatten(cotangents)
        if cspec != spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {_pprint(cspec)}, primal output: "
                f"{_pprint(spec)}")
        for i, (c, o) in enumerate(zip(cots, outs)):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {c.shape} and "
                    f"output[{i}] has a shape of {o.shape}.")
        _enter()
        try:
            with enable_grad():
                flat = _grads(outs, lifted.inputs, cots)
        finally:
            inner_keep = _leave()
        return _finish(tuple(lifted.regroup(flat, False)),
                       inner_keep or keep or _any_requires_grad(cotangents))

    value = _finish(out, keep)
    if has_aux:
        return value, vjp_fn, _finish(aux, keep)
    return value, vjp_fn


def jvp(func: Callable[..., Any], primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> Any:
    """``torch.func.jvp``: (output, J @ tangents), by the double-vjp route."""
    fn = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{fn}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    p_leaves, p_spec = _flatten(primals)
    t_leaves, t_spec = _flatten(tangents)
    if not isinstance(tangents, tuple) or p_spec != t_spec:
        raise RuntimeError(
            f"{fn}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {p_spec!r} and tangents with structure {t_spec!r}")
    for p, t in zip(p_leaves, t_leaves):
        if isinstance(p, Tensor) and isinstance(t, Tensor) and tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} "
                f"while the given forward gradient is of size {list(t.shape)}.")
    _enter()
    try:
        with enable_grad():
            lifted, out, aux = _call(func, primals, tuple(range(len(primals))), {}, has_aux, fn)
            outs, spec = _check_outputs(out, fn)
            # u -> J^T u is linear in u: its vjp with the tangents is J @ tangents
            us = [zeros_like(o).requires_grad_() for o in outs]
            vj = _grads(outs, lifted.inputs, us)
            live = [(g, t) for g, t in zip(vj, t_leaves) if g.requires_grad]
            if live:
                jv = _autograd_grad([g for g, _ in live], us,
                                    grad_outputs=[t for _, t in live], retain_graph=True,
                                    create_graph=True, allow_unused=True)
                jv = [zeros_like(o) if j is None else j for j, o in zip(jv, outs)]
            else:
                jv = [zeros_like(o) for o in outs]
    finally:
        keep = _leave()
    keep = keep or _any_requires_grad(primals, tangents)
    res = (_finish(out, keep), _finish(_unflatten(jv, spec), keep))
    return (*res, _finish(aux, keep)) if has_aux else res


# ----------------------------------------------------------------------------------------------
# jacobians and the hessian
# ----------------------------------------------------------------------------------------------
def jacrev(func: Callable[..., Any], argnums: Any = 0, *, has_aux: bool = False,
           chunk_size: Any = None, _preallocate_and_copy: bool = False) -> Callable[..., Any]:
    """``torch.func.jacrev``: the Jacobian, one vjp per output element."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args))
        _enter()
        try:
            with enable_grad():
                lifted, out, aux = _call(func, args, nums, kwargs, has_aux,
                                         "jacrev(f, ...)(*args)")
                outs, spec = _check_outputs(out, "jacrev(f, ...)(*args)")
                per_out = []
                for o in outs:
                    per_out.append(lifted.regroup(_jacobian_rows(o, lifted.inputs),
                                                  isinstance(argnums, int)))
        finally:
            keep = _leave()
        keep = keep or _any_requires_grad(args, kwargs)
        jac = _finish(_unflatten(per_out, spec), keep)
        return (jac, _finish(aux, keep)) if has_aux else jac

    return wrapper


def _jacobian_rows(o: Tensor, inputs: list[Tensor]) -> list[Tensor]:
    from .engine.ops import reshape, stack

    n = o.numel()
    rows: list[list[Tensor]] = [[] for _ in inputs]
    for k in range(n):
        e = zeros_like(o).reshape(-1)
        e._data[k] = 1
        gs = _grads([o], inputs, [e.reshape(tuple(o.shape))])
        for r, g in zip(rows, gs):
            r.append(g)
    out = []
    for r, x in zip(rows, inputs):
        if n == 0:
            out.append(zeros_like(x).reshape(*o.shape, *x.shape))
            continue
        out.append(reshape(stack(r), (*o.shape, *x.shape)))
    return out


def jacfwd(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable[..., Any]:
    """``torch.func.jacfwd``: the same Jacobian as jacrev (adcli has no forward mode)."""
    rev = jacrev(func, argnums, has_aux=has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return rev(*args, **kwargs)
        except RuntimeError as exc:
            msg = str(exc).replace("jacrev(f, ...)", "jacfwd(f, ...)")
            raise type(exc)(msg) from None

    return wrapper


def hessian(func: Callable[..., Any], argnums: Any = 0) -> Callable[..., Any]:
    """``torch.func.hessian``: jacfwd(jacrev(func, argnums), argnums)."""
    return jacfwd(jacrev(func, argnums), argnums)


# ----------------------------------------------------------------------------------------------
# vmap
# ----------------------------------------------------------------------------------------------
_RANDOM_ERROR = ("vmap: called random operation while in randomness error mode. Please either "
                 "use the 'same' or 'different' randomness flags on vmap or perform the "
                 "randomness operation out of vmap")


def _fname(func: Any) -> str:
    return getattr(func, "__name__", type(func).__name__)


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0,
         randomness: str = "error", *, chunk_size: Any = None) -> Callable[..., Any]:
    """``torch.func.vmap``: func mapped over a dimension of its inputs (one call per sample,
    the results stacked along out_dims)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        name = _fname(func)
        where = f"vmap({name}, in_dims={_fmt(in_dims)}, ...)(<inputs>)"
        if not isinstance(in_dims, int | tuple) or isinstance(in_dims, bool):
            raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) "
                             f"tuple matching the structure of inputs, got: {type(in_dims)}.")
        a_leaves, a_spec = _flatten(args)
        if isinstance(in_dims, int):
            dims = [in_dims] * len(a_leaves)
        else:
            if len(in_dims) != len(args):
                raise ValueError(
                    f"{where}: in_dims is not compatible with the structure of `inputs`. "
                    f"in_dims has structure {_flatten(in_dims)[1]!r} but inputs has structure "
                    f"{a_spec!r}.")
            dims = []
            for d, a in zip(in_dims, args):
                n = len(_flatten(a)[0])
                if isinstance(d, int) or d is None:
                    dims += [d] * n
                else:
                    d_leaves, d_spec = _flatten(d)
                    if d_spec != _flatten(a)[1]:
                        raise ValueError(
                            f"{where}: in_dims is not compatible with the structure of "
                            f"`inputs`. in_dims has structure {_flatten(in_dims)[1]!r} but "
                            f"inputs has structure {a_spec!r}.")
                    dims += d_leaves
        size = None
        sizes = []
        for x, d in zip(a_leaves, dims):
            if d is None:
                continue
            if not isinstance(x, Tensor):
                raise ValueError(
                    f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. "
                    "We cannot vmap over non-Tensor arguments, please use None as the "
                    "respective in_dim")
            nd = x.dim()
            if not -nd <= d < nd:
                raise ValueError(
                    f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                    f"dimensionality {nd} so expected in_dim to satisfy -{nd} <= in_dim < {nd}.")
            sizes.append(x.shape[d])
        if not sizes:
            raise ValueError(f"{where}: Expected at least one Tensor to vmap over")
        if len(set(sizes)) > 1:
            raise ValueError(
                "vmap: Expected all tensors to have the same size in the mapped dimension, got "
                f"sizes {sizes} for the mapped dimension")
        size = sizes[0]
        results = []
        state = _rng.default_generator.get_state() if randomness == "same" else None
        for i in range(size):
            sample = [x.select(d, i) if d is not None else x for x, d in zip(a_leaves, dims)]
            if state is not None:
                _rng.default_generator.set_state(state)
            if randomness == "error":
                _rng.random_blocked.append(_RANDOM_ERROR)
            try:
                results.append(func(*_unflatten(sample, a_spec), **kwargs))
            finally:
                if randomness == "error":
                    _rng.random_blocked.pop()
        return _stack_outputs(results, out_dims, name)

    return wrapper


def _fmt(x: Any) -> str:
    return repr(x) if not isinstance(x, str) else x


def _stack_outputs(results: list[Any], out_dims: Any, name: str) -> Any:
    from .engine.ops import stack

    leaves0, spec = _flatten(results[0])
    if isinstance(out_dims, int) or out_dims is None:
        odims = [out_dims] * len(leaves0)
    else:
        o_leaves, o_spec = _flatten(out_dims)
        if isinstance(results[0], tuple) and len(out_dims) == len(results[0]):
            odims = []
            for d, r in zip(out_dims, results[0]):
                odims += [d] * len(_flatten(r)[0]) if not isinstance(d, tuple) else list(d)
        elif o_spec == spec:
            odims = o_leaves
        else:
            raise ValueError(
                f"vmap({name}, ..., out_dims={_fmt(out_dims)})(<inputs>): out_dims is not "
                f"compatible with the structure of `outputs`. out_dims has structure {o_spec!r} "
                f"but outputs has structure {spec!r}.")
    per_leaf = [_flatten(r)[0] for r in results]
    out = []
    for j, d in enumerate(odims):
        col = [leaves[j] for leaves in per_leaf]
        if d is None:
            out.append(col[0])
            continue
        if not isinstance(col[0], Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                f"{type(col[0])}. Did you mean to set out_dims= to None for output?")
        out.append(stack(col, d))
    return _unflatten(out, spec)


# ----------------------------------------------------------------------------------------------
# functional_call
# ----------------------------------------------------------------------------------------------
def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: Any = None, *, tie_weights: bool = True, strict: bool = False) -> Any:
    """``torch.func.functional_call``: call module with its parameters and buffers replaced by
    the given tensors (by dotted name), restoring them afterwards."""
    dicts = (parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, tuple | list)
             else (parameter_and_buffer_dicts,))
    merged: dict[str, Any] = {}
    for d in dicts:
        for k, v in d.items():
            if k in merged:
                raise ValueError(f"{k} appeared in multiple dictionaries; behavior of "
                                 "functional call is ambiguous")
            merged[k] = v
    if strict:
        names = [n for n, _ in module.named_parameters()] + [n for n, _ in module.named_buffers()]
        missing = sorted(set(names) - set(merged))
        unexpected = sorted(set(merged) - set(names))
        if missing or unexpected:
            msg = f"Error(s) in reparametrizing for {type(module).__name__}:"
            if unexpected:
                msg += "\n\tUnexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + "."
            if missing:
                msg += "\n\tMissing key(s): " + ", ".join(f"'{k}'" for k in missing) + "."
            raise RuntimeError(msg)
    saved = []
    try:
        for key, value in merged.items():
            path, _, attr = key.rpartition(".")
            try:
                mod = module.get_submodule(path) if path else module
            except AttributeError:
                continue
            d = mod.__dict__
            for store in ("_parameters", "_buffers"):
                if attr in d.get(store, {}):
                    saved.append((d[store], attr, d[store][attr]))
                    d[store][attr] = value
                    break
            else:
                if attr in d:
                    saved.append((d, attr, d[attr]))
                    d[attr] = value
        if args is None:
            args = ()
        elif not isinstance(args, tuple):
            args = (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for store, attr, old in reversed(saved):
            store[attr] = old


# ----------------------------------------------------------------------------------------------
# linearize, functionalize, ensembles
# ----------------------------------------------------------------------------------------------
def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``torch.func.linearize``: ``(func(*primals), jvp_fn)`` with ``jvp_fn(*tangents)`` the
    Jacobian-vector product at ``primals`` (computed per call by :func:`jvp`)."""
    p_leaves, p_spec = _flatten(primals)
    out = func(*primals)

    def jvp_fn(*tangents: Any) -> Any:
        t_leaves, t_spec = _flatten(tangents)
        if t_spec != p_spec:
            raise RuntimeError(f"Expected the tangents {t_spec!r} to have the same argspec as "
                               f"the primals {p_spec!r}")
        for i, (p, t) in enumerate(zip(p_leaves, t_leaves, strict=True)):
            if isinstance(p, Tensor) and isinstance(t, Tensor) and tuple(p.shape) != tuple(
                    t.shape):
                raise RuntimeError(
                    f"tangent:{i} with shape {t.shape} in flattened pytree doesn't match the "
                    f"shape {p.shape} of the corresponding primal.")
        return jvp(func, primals, tangents)[1]

    return out, jvp_fn


_REMOVE_HELP = (
    "     remove='mutations': all inplace and out= operators will be removed from the program, "
    "and replaced with their out-of-place equivalents.\n"
    "     remove='mutations_and_views': In addition to the above, all aliasing operators {view} "
    "will be replaced with their non-aliasing counterparts, {view}_copy.\n")


def functionalize(func: Callable[..., Any], *, remove: str = "mutations") -> Callable[..., Any]:
    """``torch.func.functionalize``: a function computing what ``func`` computes (torch
    rewrites its mutations for compilers; adcli runs eagerly, so ``func`` runs as written,
    with the same results and the same mutations of its inputs)."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument "
                           f"for remove={remove}. Valid options are:\n{_REMOVE_HELP}")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapped


def stack_module_state(models: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``torch.func.stack_module_state``: each parameter and buffer of equally built models,
    stacked along a new first dim (parameters as new leaves that require grad)."""
    from .engine.ops.shape import stack

    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or not any(m.training for m in models)):
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode.")
    if any(type(m) is not type(models[0]) for m in models):
        raise RuntimeError(
            "stack_module_state: Expected all models to be of the same class.")

    def stacked(tensors: tuple[Tensor, ...], name: str) -> Tensor:
        wants = [t.requires_grad for t in tensors]
        if any(wants) and not all(wants):
            raise RuntimeError(f"Expected {name} from each model to have the same "
                               ".requires_grad")
        result = stack(list(tensors))
        return result.detach().requires_grad_() if all(wants) else result

    all_params = [dict(m.named_parameters()) for m in models]
    all_buffers = [dict(m.named_buffers()) for m in models]
    params = {k: stacked(tuple(p[k] for p in all_params), k) for k in all_params[0]}
    buffers = {k: stacked(tuple(b[k] for b in all_buffers), k) for k in all_buffers[0]}
    return params, buffers


def replace_all_batch_norm_modules_(root: Any) -> Any:
    """``torch.func.replace_all_batch_norm_modules_``: batch norms in ``root`` stop tracking
    running statistics (so they normalise by the batch under vmap); returns ``root``."""
    from .nn.modules.batchnorm import _BatchNorm

    for module in (root, *root.modules()):
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
