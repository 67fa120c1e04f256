"""In-place writes and views, with PyTorch's rules.

A view shares memory and version counter with its base. Two things follow, as in PyTorch:

- Writing a view in place changes its base. The base's history becomes a ``CopySlices`` node,
  which wraps the backward of the op that wrote (``MulBackward0`` for ``v.mul_(w)``) and routes
  the gradient of the written positions through it.
- Writing a base (directly or through one of its views) changes every view of it. Each live
  view then gets ``AsStridedBackward0`` over the base's new history, so that no view keeps a
  graph that no longer describes its values (which would give silently wrong gradients).

The engine finds a view's elements in its base from the arrays' strides, so any view op
(indexing, transpose, reshape, expand, ...) is handled the same way.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from . import dtypes
from .backend import TENSORS
from .errors import InvalidArgumentError, LeafInplaceError, ShapeMismatchError
from .grad_mode import _inference, _inference_views, is_inference_view
from .hooks import version_hook
from .layout import element_strides, is_non_overlapping_and_dense, maybe_overlap
from .node import Node, next_seq
from .table import OPS

if TYPE_CHECKING:
    from .tensor import Tensor

_MULTI_VIEW = (
    "Output {nr} of {fn} is a view and is being modified inplace. This view is the output of "
    "a function that returns multiple views. Such functions do not allow the output views to "
    "be modified inplace. You should replace the inplace operation by an out-of-place one.")
_NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace to "
    "be tracked).")
_INFERENCE_VIEW = (
    "A view was created in inference mode and is being modified inplace in normal mode. Given "
    "that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the inference_mode block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace to "
    "be tracked).")
_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation.")


def register_view(base: Tensor, view: Tensor) -> None:
    """Remember ``view`` (weakly) as a view of ``base``, to rebase it after a write."""
    views = base._views
    if views is None:
        views = base._views = weakref.WeakSet()
    views.add(view)
    if _inference[0]:
        _inference_views[id(view)] = view
        if base._requires_grad:
            # torch: such a view requires grad, with no grad_fn and no accumulator (a
            # gradient reaching it goes nowhere; see Tensor._grad_accumulator)
            view._requires_grad = True


def _address(a: np.ndarray) -> int:
    return int(a.__array_interface__["data"][0])


def storage_span(t: Tensor) -> tuple[int, int]:
    """The storage ``t`` addresses, as torch sees it: (its first byte's address, its size in
    elements). A view's storage is its base's array; a tensor that is not a view owns its
    array's extent."""
    root = t._data if t._base is None else t._base._data
    if isinstance(root.base, _Interface):  # as_strided_ made it a view of its old storage
        root = _owner(root)
    if not root.size:
        return _address(root), 0
    low = _address(root) + sum((n - 1) * s for n, s in zip(root.shape, root.strides) if s < 0)
    if is_non_overlapping_and_dense(root):
        return low, root.size
    span = sum((n - 1) * abs(s) for n, s in zip(root.shape, root.strides))
    return low, span // root.itemsize + 1


def shared_owner(t: Tensor) -> np.ndarray | None:
    """The row-major NumPy memory a tensor that is not an autograd view shares with others
    (what ``detach()``, ``unsafe_split`` and ``torch.load`` give): its storage, as in torch;
    None when there is none (the tensor owns its array, or is a view: ``storage_span``)."""
    if t._base is not None:
        return None
    data = t._data
    owner = _owner(data)
    return owner if owner is not data and owner.flags.c_contiguous else None


def storage_offset(t: Tensor) -> int:
    """``Tensor.storage_offset()``: where ``t``'s first element is in its storage."""
    owner = shared_owner(t)
    start = _address(owner) if owner is not None else storage_span(t)[0]
    return (_address(t._data) - start) // t._data.itemsize


class _Interface:
    # What an array made from a raw address keeps alive (as NumPy's as_strided does).
    __slots__ = ("__array_interface__", "base")

    def __init__(self, interface: dict[str, Any], base: np.ndarray) -> None:
        self.__array_interface__ = interface
        self.base = base


def _owner(a: np.ndarray) -> np.ndarray:
    """The array whose memory ``a`` lies in (through views and as_strided holders)."""
    while True:
        b = a.base
        if isinstance(b, np.ndarray):
            a = b
        elif isinstance(getattr(b, "base", None), np.ndarray):
            a = b.base
        else:
            return a


def strided_view(a: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...],
                 rel: int) -> np.ndarray:
    """A view of ``a``'s memory starting ``rel`` elements from ``a``'s first element (may be
    before it), with ``stride`` in elements: torch's as_strided relative to ``a``. It must
    stay inside the memory ``a`` lies in."""
    item = a.itemsize
    addr = _address(a) + rel * item
    if all(size) and size:
        low = addr + sum((n - 1) * s * item for n, s in zip(size, stride) if s < 0)
        high = addr + sum((n - 1) * s * item for n, s in zip(size, stride) if s > 0) + item
        own = _owner(a)
        own_low = _address(own) + sum((n - 1) * s for n, s in zip(own.shape, own.strides)
                                      if s < 0)
        own_high = own_low + sum((n - 1) * abs(s) for n, s in zip(own.shape, own.strides)) \
            + item
        if not own.size or low < own_low or high > own_high:
            raise InvalidArgumentError("as_strided: the view leaves the tensor's storage")
    interface = {"data": (addr, not a.flags.writeable), "shape": tuple(size),
                 "strides": tuple(s * item for s in stride), "typestr": a.dtype.str,
                 "descr": a.dtype.descr, "version": 3}
    return np.asarray(_Interface(interface, a))


def _byte_offsets(a: np.ndarray, start: int) -> np.ndarray:
    off = np.full(a.shape, start, dtype=np.int64)
    for axis, (n, stride) in enumerate(zip(a.shape, a.strides)):
        shape = [1] * a.ndim
        shape[axis] = n
        off += (np.arange(n, dtype=np.int64) * stride).reshape(shape)
    return off


def view_index(view: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, ...] | None:
    """For each element of ``view``, its index in ``base`` (None if it is not inside base)."""
    if view.dtype != base.dtype:
        return None
    if view.size == 0:
        return tuple(np.zeros(view.shape, dtype=np.intp) for _ in base.shape)
    voff = _byte_offsets(view, _address(view) - _address(base))
    if base.flags.c_contiguous:
        pos, rest = np.divmod(voff, base.itemsize)
        if rest.any() or pos.min() < 0 or pos.max() >= base.size:
            return None
    else:
        boff = _byte_offsets(base, 0).ravel()
        order = np.argsort(boff, kind="stable")
        ordered = boff[order]
        k = np.clip(np.searchsorted(ordered, voff), 0, ordered.size - 1)
        if not np.array_equal(ordered[k], voff):
            return None
        pos = order[k]
    return np.unravel_index(pos, base.shape)


def _has_repeats(index: tuple[np.ndarray, ...], shape: tuple[int, ...]) -> bool:
    flat = np.ravel_multi_index(index, shape).ravel() if shape else np.zeros(1, np.intp)
    return np.unique(flat).size != flat.size


def set_history(t: Tensor, node: Node) -> None:
    """Make ``node`` the grad_fn of ``t`` (after an in-place write), keeping retain_grad."""
    old = t.grad_fn
    if t._retains_grad and old is not None and old._retain:
        # The retained grad is the written tensor's, no longer the old value's.
        old._retain.pop(t._output_nr, None)
    t.grad_fn = node
    t._output_nr = 0
    t._requires_grad = True
    if t._retains_grad:
        node.set_retain(0, t)


def rebase_views(base: Tensor, only_with_history: bool = False) -> None:
    """Give every live view of ``base`` the history ``AsStridedBackward0(base's history)``
    (with ``only_with_history``: only the views that have a grad_fn)."""
    views = base._views
    if not views:
        return
    as_strided = OPS["as_strided"]
    for v in list(views):
        if only_with_history and v.grad_fn is None:
            continue
        index = view_index(v._data, base._data)
        if index is None:  # no longer shares the base's memory (its data was replaced)
            continue
        set_history(v, as_strided._node((base,), {
            "index": index, "geometry": view_geometry(v._data, base._data, index)}))


class CopySlices(Node):
    """A base written through one of its views: wraps the writing op's backward ``fn``.

    ``next_functions`` are the base's previous history, then ``fn``'s other inputs. In
    backward, the gradient of the written positions goes through ``fn`` (its gradient for
    the old view values lands back in those positions); the rest passes to the base unchanged.
    """

    def __init__(self, fn: Node, base_edge: tuple[Node | None, int],
                 index: tuple[np.ndarray, ...], base: np.ndarray,
                 geometry: tuple[Any, ...] | None = None) -> None:
        super().__init__()
        self.seq_nr = next_seq()
        self.fn = fn
        trace = getattr(fn, "_anomaly_trace", None)
        if trace:  # anomaly mode: the write's place
            self._anomaly_trace = trace
        self.index = index
        # The view as torch's as_strided sees it (view_geometry), for the create_graph
        # backward; None where torch's steps cannot be taken on a copy of the base.
        self.geometry = geometry
        self.next_functions = (base_edge, *fn.next_functions[1:])
        self.shapes = (base.shape, *fn.shapes[1:])
        self.dtypes = (base.dtype, *fn.dtypes[1:])

    def apply(self, grads: list[Any], as_tensors: bool) -> tuple[Any, ...]:
        g = grads[0]
        index = self.index
        if as_tensors and self.geometry is not None:
            return self._apply_recorded(g)
        if as_tensors:
            res = self.fn.apply([TENSORS.getitem(g, index)], True)
            if self.next_functions[0][0] is None:
                return (None, *res[1:])
            region = res[0] if res[0] is not None else np.zeros((), dtype=g._data.dtype)
            return (OPS["index_put_advanced"](g, region, index=index), *res[1:])
        res = self.fn.apply([g[index]], False)
        if self.next_functions[0][0] is None:
            return (None, *res[1:])
        out = np.array(g, copy=True)
        out[index] = 0 if res[0] is None else res[0]
        return (out, *res[1:])

    def _apply_recorded(self, g: Tensor) -> tuple[Any, ...]:
        """torch's CopySlices under create_graph: ``result = empty_strided(base).copy_(grad)``
        (CopyBackwards), the written view of it (AsStridedBackward0), the write's backward on
        a contiguous clone of that view, whose self grad is copied back into the view
        (CopySlices over CopyBackwards)."""
        base_strides, size, stride, _ = self.geometry
        start = tuple(int(ix.flat[0]) if ix.size else 0 for ix in self.index)
        shape, dt = self.shapes[0], g._data.dtype
        buf = np.empty(int(np.prod(shape)), dtype=dt)
        arr = np.lib.stride_tricks.as_strided(
            buf, shape, tuple(n * dt.itemsize for n in base_strides))
        result = type(g)._make(arr, None, 0, None)
        result.copy_(g)
        grad_slice = OPS["as_strided_view"](result, size=size, stride=stride, start=start,
                                            index=self.index, geometry=self.geometry)
        res = self.fn.apply([OPS["clone"](grad_slice, memory_format="contiguous_format")], True)
        if self.next_functions[0][0] is None:
            return (None, *res[1:])
        src = res[0] if res[0] is not None else TENSORS.zeros_like(grad_slice)
        grad_slice.copy_(src)
        return (result, *res[1:])

    @property
    def saved_tensors_info(self) -> list[dict[str, Any]]:
        return self.fn.saved_tensors_info

    def release(self) -> None:
        self.fn.release()
        self._freed = self.fn._freed  # an op that saved nothing can run backward again

    def describe(self) -> str:
        return (f"the base written in place through a view by {self.fn.name()} "
                f"({self.fn.describe()}); the written positions' grad goes through it")


def write_readonly(target: Tensor, value: np.ndarray) -> None:
    """Write ``value`` into a tensor whose array is read-only (an ``expand`` result)."""
    arr = target._data
    base = target._base
    if base is not None:
        if any(stride == 0 and n > 1 for n, stride in zip(arr.shape, arr.strides)):
            raise InvalidArgumentError(_OVERLAP)
        index = view_index(arr, base._data)
        if index is not None and base._data.flags.writeable:
            base._data[index] = value.astype(arr.dtype, copy=False)
            return
    # Not a view of writable memory (an op's result NumPy made read-only): the tensor owns
    # its values, so a private copy is the write.
    target._data = np.array(value, dtype=arr.dtype)


def check_view_write(target: Tensor) -> None:
    """Refuse the in-place writes through a view (with grad mode on) that PyTorch refuses."""
    base = target._base
    if base is None:
        return
    if base._requires_grad and not _inference[0] and is_inference_view(target):
        raise InvalidArgumentError(_INFERENCE_VIEW)
    fn = target.grad_fn
    if fn is not None and fn.n_outputs > 1:
        name = fn.name().removesuffix("Backward0").removesuffix("Backward1")
        raise InvalidArgumentError(_MULTI_VIEW.format(nr=target._output_nr, fn=name))
    if base._requires_grad and base.grad_fn is None:
        err = LeafInplaceError()
        err.args = ("a view of a leaf Variable that requires grad is being used in an in-place "
                    "operation.",)
        raise err
    if base._requires_grad and not target._requires_grad:
        raise InvalidArgumentError(_NO_GRAD_VIEW)


def write_through_view(op: Any, target: Tensor, others: tuple[Any, ...],
                       attrs: dict[str, Any]) -> Tensor:
    """``op`` (an OpDef) applied in place to the view ``target``, recorded on its base
    (CopySlices)."""
    base = target._base
    assert base is not None
    index = view_index(target._data, base._data)
    if index is None:
        raise InvalidArgumentError(
            "this view no longer shares memory with its base; clone() it before writing "
            "in place")
    if _has_repeats(index, base._data.shape):
        raise InvalidArgumentError(_OVERLAP)
    inputs, out, saved_self = op._forward_before_write(target, others, attrs, record=True)
    fn = op._node(inputs, attrs, saved_self)
    base_edge = base._edge()
    _write(target, out)
    if op._save_result:
        fn.save("result", target, is_output=True)
    set_history(base, CopySlices(fn, base_edge, index, base._data,
                                 view_geometry(target._data, base._data, index)))
    rebase_views(base)
    if op._save_result:
        fn._saved["result"].view_fn = weakref.ref(target.grad_fn)
    return target


def view_geometry(view: np.ndarray, base: np.ndarray,
                  index: tuple[np.ndarray, ...]) -> tuple[Any, ...] | None:
    """``view`` as torch's as_strided sees it in ``base``'s storage: (base strides, view size,
    view strides, storage offset), all in elements. None where the create_graph backwards
    fall back to index_put (empty or overlapping views, a base that is not dense)."""
    if any(n < 0 for n in view.strides) or not is_non_overlapping_and_dense(base):
        return None
    size, stride = view.shape, element_strides(view)
    if maybe_overlap(size, stride):
        return None
    base_strides = element_strides(base)
    # (an empty view has no first element: torch's steps still run, on nothing, from 0)
    offset = sum(int(ix.flat[0]) * st for ix, st in zip(index, base_strides)) \
        if view.size else 0
    return base_strides, size, stride, offset


def _write(target: Tensor, value: np.ndarray) -> None:
    """Write ``value`` into ``target``'s memory (broadcast, same-kind cast) and bump its version."""
    arr = target._data
    if value.shape != arr.shape:
        try:
            value = np.broadcast_to(value, arr.shape)
        except ValueError:
            raise ShapeMismatchError(
                f"output with shape {list(arr.shape)} doesn't match the broadcast shape "
                f"{list(value.shape)}"
            ) from None
    if arr.dtype != value.dtype and not np.can_cast(value.dtype, arr.dtype, "same_kind"):
        raise InvalidArgumentError(
            f"result type {dtypes.scalar_type_name(value.dtype)} can't be "
            f"cast to the desired output type "
            f"{dtypes.scalar_type_name(arr.dtype)}"
        )
    if not arr.flags.c_contiguous and any(st == 0 and n > 1
                                          for n, st in zip(arr.shape, arr.strides)):
        raise InvalidArgumentError(_OVERLAP)  # (torch's MemOverlap::Yes: a stride-0 dim)
    if arr.flags.writeable:
        np.copyto(arr, value, casting="unsafe")
    else:
        write_readonly(target, value)
    target._vc[0] += 1
    if version_hook[0] is not None:
        version_hook[0](target._vc)
