"""Norm leftovers of PyTorch's top level: renorm / renorm_ (RenormBackward0, PyTorch's
renorm_backward), the C++ ``at::norm`` nodes (NormBackward0 without dims, NormBackward1 with
them) that frobenius_norm and norm_except_dim record, nuclear_norm (linalg.matrix_norm 'nuc')
and native_norm (dense CPU tensors: PyTorch's missing-kernel error).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import IndexOutOfRangeError, InvalidArgumentError, NotImplementedArgumentError
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from .arithmetic import div, mul
from .common import warn_once
from .conversion import _contiguous
from .reductions import _dims, _norm, _norm_self
from .reductions import norm as _tnorm
from .shape import transpose, view
from .shape_inplace import _MISSING

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _reduce_dims(ndim: int, dim: int) -> tuple[int, ...]:
    return tuple(d for d in range(ndim) if d != dim)


def _renorm(a: np.ndarray, p: float, dim: int, maxnorm: float) -> np.ndarray:
    # PyTorch: factor = maxnorm / (norm + 1e-7) where norm > maxnorm (else 1), in a's dtype
    norm = _norm(a, ord=p, dim=_reduce_dims(a.ndim, dim), keepdim=True)
    eps, one = a.dtype.type(1e-7), a.dtype.type(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(norm > maxnorm, (maxnorm / (norm + eps)).astype(a.dtype), one)
    return a * factor


renorm_op = defop("renorm", "RenormBackward0", _renorm, save=("self",))


@renorm_op.grad("self")
def _renorm_self(g, s, B):
    "where(norm > maxnorm, maxnorm/norm' (grad - norm_backward(sum(self grad))/norm'), grad)"
    x, p = s.self, s.p
    dims = _reduce_dims(len(s.in_shape), s.dim)
    if B.tensors:
        norm = _tnorm(x, p, dims, True)
    else:
        norm = _norm(x, ord=p, dim=dims, keepdim=True)
    grad_output = B.sum(x * g, dims, True)
    fake = SimpleNamespace(ord=p, self=x, result=norm, dim=dims, keepdim=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        nb = _norm_self(grad_output, fake, B)
        invnorm = B.reciprocal(norm + 1e-7)
        factor = invnorm * s.maxnorm
        return B.where(norm > s.maxnorm, factor * (g - invnorm * nb), g)


def _at_norm(a: np.ndarray, ord: float = 2, dim: Any = None, keepdim: bool = False) -> np.ndarray:
    return _norm(a, ord=ord, dim=dim, keepdim=keepdim)


# at::norm(self, p) and at::norm(self, p, dim, keepdim): PyTorch's norm_backward, as
# linalg.vector_norm's
norm_op = defop("at_norm", "NormBackward0", _at_norm, save=("self", "result"),
                torch="at::norm(self, p) (frobenius_norm, norm_except_dim)")
norm_dim_op = defop("at_norm_dim", "NormBackward1", _at_norm, save=("self", "result"),
                    torch="at::norm(self, p, dim, keepdim) (frobenius_norm, norm_except_dim)")
norm_op.grad("self")(_norm_self)
norm_dim_op.grad("self")(_norm_self)


def _wn_dims(ndim: int, dim: int) -> tuple[int, ...]:
    return tuple(d for d in range(ndim) if d != dim)


def _weight_norm_fwd(v: np.ndarray, g: np.ndarray, dim: int = 0) -> tuple[Any, Any]:
    # PyTorch's fused CPU kernel: norm per slice along dim, then w = v * (g / norm)
    norms = np.sqrt(np.sum(v * v, axis=_wn_dims(v.ndim, dim), keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        w = v * (g.reshape(norms.shape) / norms)
    return w.astype(v.dtype, copy=False), norms.astype(v.dtype, copy=False)


# torch._weight_norm_interface (what torch._weight_norm runs for dim 0 or the last dim): w, and
# the norms as an output without gradient
weight_norm_op = defop("_weight_norm_interface", "WeightNormInterfaceBackward0", _weight_norm_fwd,
                       inputs=("v", "g"), save=("v", "g"), extras=("norms",),
                       torch="torch._weight_norm_interface (torch._weight_norm, dim 0 or last)")


def _wn_parts(g, s, B):
    v = s.v
    dims = _wn_dims(len(s.in_shape), s.dim)
    if B.tensors:
        # recomputed from v, so the second derivative sees the norm depend on v (PyTorch's
        # differentiable backward keeps its saved norms constant: its gradgradcheck fails)
        norms = B.sqrt(B.sum(v * v, dims, True))
    else:
        norms = s.norms
    per_dir = B.sum(g * v, dims, True)
    return v, B.reshape(s.g, tuple(norms.shape)), norms, per_dir


@weight_norm_op.grad("v")
def _weight_norm_v(g, s, B):
    "(g / norm) * (grad - v * sum(grad * v) / norm^2), sums over all dims but dim"
    v, gg, norms, per_dir = _wn_parts(g, s, B)
    return (gg / norms) * (g - v * (per_dir / (norms * norms)))


@weight_norm_op.grad("g")
def _weight_norm_g(g, s, B):
    "sum(grad * v) / norm, sums over all dims but dim"
    _, _, norms, per_dir = _wn_parts(g, s, B)
    return B.reshape(per_dir / norms, tuple(s.sizes[1]))


# ==============================================================================================
# public functions
# ==============================================================================================
def _no_dims(v: Tensor, dim: int) -> None:
    if v._data.ndim == 0 and dim in (0, -1):
        raise IndexOutOfRangeError(f"Dimension specified as {dim} but tensor has no dimensions")


def _weight_norm_interface(v: Tensor, g: Tensor, dim: int = 0) -> tuple[Tensor, Tensor]:
    _no_dims(v, dim)
    if v._data.dtype != g._data.dtype:
        raise InvalidArgumentError(f"expected scalar type {scalar_type_name(v._data.dtype)} but "
                                   f"found {scalar_type_name(g._data.dtype)}")
    if dim not in (0, v._data.ndim - 1):
        raise InvalidArgumentError(
            'dim == 0 || dim == v.dim() - 1 INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/'
            'aten/src/ATen/native/cpu/WeightNormKernel.cpp":408, please report a bug to '
            "PyTorch. fused kernels can only be applied for first or last dim")
    return weight_norm_op(_contiguous(v), _contiguous(g), dim=int(dim))


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``v * (g / norm_except_dim(v, 2, dim))``: PyTorch's fused op (WeightNormInterfaceBackward0)
    for dim 0 or the last dim, the composite (MulBackward0) otherwise."""
    _no_dims(v, dim)
    if dim == 0 or dim == v._data.ndim - 1:
        return _weight_norm_interface(v, g, dim)[0]
    return mul(v, div(g, norm_except_dim(v, 2, dim)))


def _renorm_checks(input: Tensor, p: Any, dim: int, maxnorm: Any) -> int:
    if p <= 0:
        raise InvalidArgumentError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise InvalidArgumentError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    nd = input._data.ndim
    if nd <= 1:
        raise InvalidArgumentError(f"renorm: input needs at least 2 dimensions, got {nd} "
                                   f"dimensions")
    d = _wrap_dim(dim, nd)
    if input._data.dtype.kind != "f":
        raise InvalidArgumentError("linalg.vector_norm: Expected a floating point or complex "
                                   f"tensor as input. Got {scalar_type_name(input._data.dtype)}")
    return d


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    d = _renorm_checks(input, p, dim, maxnorm)
    return renorm_op(input, p=float(p), dim=d, maxnorm=float(maxnorm))


def renorm_(self: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    d = _renorm_checks(self, p, dim, maxnorm)
    return renorm_op.inplace(self, p=float(p), dim=d, maxnorm=float(maxnorm))


def _at_norm_call(input: Tensor, p: float, dim: Any = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return norm_op(input, ord=float(p), dim=None, keepdim=False)
    return norm_dim_op(input, ord=float(p), dim=_dims(dim, input._data.ndim),
                       keepdim=bool(keepdim))


def frobenius_norm(input: Tensor, dim: Any = _MISSING, keepdim: bool = False) -> Tensor:
    if dim is _MISSING:  # (required: torch's argument parser's TypeError)
        raise TypeError('frobenius_norm() missing 1 required positional arguments: "dim"')
    # (TORCH_WARN_ONCE: once per process)
    warn_once("frobenius_norm", "at::frobenius_norm is deprecated and it is just left for JIT "
              "compatibility. It will be removed in a future PyTorch release. Please use "
              "`linalg.vector_norm(A, 2., dim, keepdim)` instead")
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise InvalidArgumentError(f"Expected at most 2 dimensions, but got {len(dims)} "
                                   f"dimensions instead.")
    nd = input._data.ndim
    wrapped = [_wrap_dim(d, nd) for d in dims]
    for i, d in enumerate(wrapped):
        if d in wrapped[:i]:
            raise InvalidArgumentError(f"dim {d} appears multiple times in the list of dims")
    return _at_norm_call(input, 2, tuple(wrapped) or tuple(range(nd)), keepdim)


def nuclear_norm(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    warn_once("nuclear_norm", "at::nuclear_norm is deprecated and it is just left for JIT "
              "compatibility. It will be removed in a future PyTorch release. Please use "
              "`linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead")
    from .linalg_api import matrix_norm

    return matrix_norm(input, "nuc", (-2, -1) if dim is None else tuple(dim), keepdim)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    nd = v._data.ndim
    if dim == -1:
        return _at_norm_call(v, pow)
    if nd == 0 and dim == 0:
        raise IndexOutOfRangeError("Dimension specified as 0 but tensor has no dimensions")
    if dim == 0:
        out = (v._data.shape[0],) + (1,) * (nd - 1)
        flat = view(_contiguous(v), v._data.shape[0], -1)
        return view(_at_norm_call(flat, pow, 1), *out)
    if dim == nd - 1:
        out = (1,) * (nd - 1) + (v._data.shape[-1],)
        flat = view(_contiguous(v), -1, v._data.shape[-1])
        return view(_at_norm_call(flat, pow, 0), *out)
    return transpose(norm_except_dim(transpose(v, 0, dim), pow, 0), 0, dim)


def native_norm(input: Tensor, p: Any = 2, dim: Any = None, keepdim: bool = False,
                dtype: Any = None) -> Tensor:
    # torch's dispatcher text, without its closing list of where each backend's kernel was
    # registered (file paths and line numbers of torch's own build)
    name = "aten::native_norm" if dim is None else "aten::native_norm.ScalarOpt_dim_dtype"
    raise NotImplementedArgumentError(
        f"Could not run '{name}' with arguments from the 'CPU' backend. This could be because "
        "the operator doesn't exist for this backend, or was omitted during the "
        "selective/custom build process (if using custom build). If you are a Facebook "
        "employee using PyTorch on mobile, please visit https://fburl.com/ptmfixes for "
        f"possible resolutions. '{name}' is only available for these backends: "
        f"[{_NATIVE_NORM_BACKENDS}].")


_NATIVE_NORM_BACKENDS = (
    "Meta, SparseCPU, BackendSelect, Python, FuncTorchDynamicLayerBackMode, Functionalize, "
    "Conjugate, Negative, ZeroTensor, ADInplaceOrView, AutogradOther, AutogradCPU, "
    "AutogradCUDA, AutogradHIP, AutogradXLA, AutogradMPS, AutogradIPU, AutogradXPU, "
    "AutogradHPU, AutogradVE, AutogradLazy, AutogradMTIA, AutogradMAIA, AutogradPrivateUse1, "
    "AutogradPrivateUse2, AutogradPrivateUse3, AutogradMeta, AutogradNestedTensor, Tracer, "
    "AutocastCPU, AutocastMTIA, AutocastMAIA, AutocastXPU, AutocastMPS, AutocastCUDA, "
    "FuncTorchBatched, BatchedNestedTensor, FuncTorchVmapMode, Batched, VmapMode, "
    "FuncTorchGradWrapper, PythonTLSSnapshot, FuncTorchDynamicLayerFrontMode, PreDispatch, "
    "PythonDispatcher")


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "renorm": renorm, "frobenius_norm": frobenius_norm, "nuclear_norm": nuclear_norm,
    "norm_except_dim": norm_except_dim, "native_norm": native_norm,
    "_weight_norm": _weight_norm, "_weight_norm_interface": _weight_norm_interface,
}

METHODS: dict[str, Any] = {"renorm": renorm, "renorm_": renorm_}

FUNCTIONAL: dict[str, Any] = {}
