"""In-place shape changes: ``Tensor.transpose_``, ``swapaxes_``, ``swapdims_``, ``t_``,
``squeeze_``, ``unsqueeze_``, ``resize_``, ``resize_as_``.

PyTorch changes the tensor's sizes and strides, not its values: the data stays where it is
(views of the tensor still see it), the version counter is bumped, and the tensor's history
gets one node on top (``TransposeBackward1``, ``TBackward1``, ``SqueezeBackward3/4/5``,
``UnsqueezeBackward1``). The same rules as any in-place op apply: a leaf that requires grad,
or a view of one, is refused; a tensor saved for backward fails its version check.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, LeafInplaceError
from ..grad_mode import _enabled
from ..hooks import _busy, observe, observers
from ..op import OpDef, defop
from ..tensor import Tensor
from ..views import check_view_write, set_history
from .norm_backward import unsqueeze_inplace_op
from .shape import (
    _dims,
    _squeeze,
    _squeeze_dims_self,
    _squeeze_self,
    _transpose,
    _wrap_dim,
    squeeze_inplace_op,
)

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================
transpose_inplace_op = defop("transpose_", "TransposeBackward1", _transpose,
                             torch="Tensor.transpose_ / swapaxes_ / swapdims_")


@transpose_inplace_op.grad("self")
def _transpose_inplace_self(g, s, B):
    "grad.transpose(dim0, dim1)"
    return B.transpose(g, s.dim0, s.dim1)


t_inplace_op = defop("t_", "TBackward1", lambda a: a.T, torch="Tensor.t_")


@t_inplace_op.grad("self")
def _t_inplace_self(g, s, B):
    "grad.t()"
    return B.t(g) if B.tensors or len(s.in_shape) == 2 else g


squeeze_all_inplace_op = defop("squeeze_all_", "SqueezeBackward3", _squeeze,
                               torch="Tensor.squeeze_()")
squeeze_all_inplace_op.grad("self")(_squeeze_self)
squeeze_dims_inplace_op = defop("squeeze_dims_", "SqueezeBackward5", _squeeze,
                                torch="Tensor.squeeze_(dim=tuple)")
squeeze_dims_inplace_op.grad("self")(_squeeze_dims_self)


def _reshape_in_place(op: OpDef, target: Tensor, **attrs: Any) -> Tensor:
    """Give ``target`` the op's new shape over the same data, as PyTorch's in-place view ops:
    version bumped, one node of the op on top of its history (when recorded)."""
    if observers and not _busy[0]:
        return observe("inplace", op, lambda t, **a: _reshape_in_place(op, t, **a), (target,),
                       attrs)
    grad_on = _enabled[0]
    if grad_on and target.grad_fn is None and target._requires_grad and target._base is None:
        raise LeafInplaceError()
    if grad_on and target._base is not None:
        check_view_write(target)
    node = op._node((target,), attrs) if grad_on and target._requires_grad else None
    # a NumPy view of the same memory: views of ``target`` keep sharing its data
    target._data = op.forward(target._data, **attrs)
    target._vc[0] += 1
    if node is not None:
        set_history(target, node)
    return target


# ==============================================================================================
# Tensor methods
# ==============================================================================================


def transpose_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims of this tensor in place (TransposeBackward1)."""
    nd = self._data.ndim
    return _reshape_in_place(transpose_inplace_op, self, dim0=_wrap_dim(dim0, nd),
                             dim1=_wrap_dim(dim1, nd))


def t_(self: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims in place (TBackward1)."""
    if self._data.ndim > 2:
        raise InvalidArgumentError(
            f"t_() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
    return _reshape_in_place(t_inplace_op, self)


def squeeze_(self: Tensor, dim: Any = None) -> Tensor:
    """Remove dims of size 1 in place (SqueezeBackward3 / 4 / 5 as torch's three forms)."""
    nd = self._data.ndim
    if dim is None:
        return _reshape_in_place(squeeze_all_inplace_op, self)
    if isinstance(dim, list | tuple):
        return _reshape_in_place(squeeze_dims_inplace_op, self, dim=_dims(dim, nd))
    return _reshape_in_place(squeeze_inplace_op, self, dim=_wrap_dim(dim, nd))


def unsqueeze_(self: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 in place (UnsqueezeBackward1)."""
    return _reshape_in_place(unsqueeze_inplace_op, self,
                             dim=_wrap_dim(dim, self._data.ndim + 1))


def resize_(self: Tensor, *sizes: Any, memory_format: Any = None) -> Tensor:
    """torch's ``resize_``: new sizes over the same elements (in order); refused for a tensor
    that requires grad. New elements are zeros (torch leaves them uninitialized)."""
    if len(sizes) == 1 and isinstance(sizes[0], list | tuple):
        sizes = tuple(sizes[0])
    shape = tuple(int(n) for n in sizes)
    if self.requires_grad:
        raise InvalidArgumentError("cannot resize variables that require grad")
    if any(n < 0 for n in shape):
        raise InvalidArgumentError("numel: integer multiplication overflow")
    flat = self._data.reshape(-1)
    n = int(np.prod(shape, dtype=np.int64))
    if n > flat.size:
        flat = np.concatenate([flat, np.zeros(n - flat.size, dtype=flat.dtype)])
    if shape != self._data.shape:
        self._vc[0] += 1  # (torch's version moves when the sizes change, only then)
        self._data = np.array(flat[:n].reshape(shape))
    return self


class _Required:
    """The default of an argument torch requires: its absence gets torch's own TypeError."""

    def __repr__(self) -> str:
        return "<required>"


_MISSING: Any = _Required()


def resize_as_(self: Tensor, the_template: Tensor = _MISSING, *,
               memory_format: Any = None) -> Tensor:
    if the_template is _MISSING:  # (torch's argument parser's wording)
        raise TypeError('resize_as_() missing 1 required positional arguments: "the_template"')
    return resize_(self, tuple(the_template.shape))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"resize_as_": resize_as_}
METHODS: dict[str, Any] = {
    "transpose_": transpose_, "swapaxes_": transpose_, "swapdims_": transpose_, "t_": t_,
    "squeeze_": squeeze_, "unsqueeze_": unsqueeze_, "resize_": resize_,
    "resize_as_": resize_as_,
}
FUNCTIONAL: dict[str, Any] = {}

