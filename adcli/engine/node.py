"""Graph nodes (``grad_fn`` objects) and the saved tensors they hold.

A node is named like PyTorch's (``MulBackward0``); its class carries the op definition, so the
inspector can always say what a node is and which derivative rule it applies.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from . import dtypes
from .errors import GraphFreedError, InplaceModifiedError, InvalidArgumentError, InvalidTypeError
from .grad_mode import InferenceVersion, _check_saved, _enabled, _hooks_active, _live_inference
from .hooks import RemovableHandle as _Handle

Edge = tuple["Node | None", int]

# Creation order of nodes: backward runs the ready node created last first, as PyTorch's
# engine does (its sequence_nr), so hooks and errors come in PyTorch's order.
next_seq = itertools.count(1).__next__

# The Tensor class, set by tensor.py when it loads: tensor.py imports this module, so this one
# imports nothing that imports it back, and names the class in annotations as ``TensorT``.
_tensor_cls: list[Any] = []
TensorT = Any


class SavedTensor:
    """A tensor saved for backward, with the version it had when saved.

    An op's own output is kept as its array only (no reference back to the node), so that a
    finished graph has no reference cycles and is freed by reference counting alone.
    """

    __slots__ = ("data", "is_output", "output_nr", "tensor", "vc", "version", "view_fn")

    def __init__(self, t: TensorT, is_output: bool = False) -> None:
        self.data = t._data
        vc = self.vc = t._vc
        self.version = vc[0]
        self.is_output = is_output
        self.output_nr = t._output_nr
        self.tensor = None if is_output else t
        # The output of an in-place op on a view: the view's own history (weakly), which
        # PyTorch names in the error and links the unpacked value to.
        self.view_fn: weakref.ref[Node] | None = None

    def check(self, node: Node) -> None:
        if self.vc[0] != self.version:
            saver = node
            view_fn = self.view_fn() if self.view_fn is not None else None
            if view_fn is not None:
                node = view_fn
            origin = _origin(_display(node)) if self.is_output else None
            if origin is None and self.tensor is not None and self.tensor.grad_fn is not None:
                origin = _origin(_display(self.tensor.grad_fn))
            # (a saved input is described as it is now: an in-place transpose_ changed its shape)
            data = self.tensor._data if self.tensor is not None else self.data
            raise InplaceModifiedError(
                dtypes.describe_type(data), origin, self.vc[0], self.version,
                node=saver, vc=self.vc)

    def unpack(self, node: Node) -> TensorT:
        """The saved value as a Tensor linked into the graph (for create_graph)."""
        if self.is_output:
            view_fn = self.view_fn() if self.view_fn is not None else None
            if view_fn is not None:
                return _tensor_cls[0]._make(self.data, view_fn, 0, self.vc)
            return _tensor_cls[0]._make(self.data, node, self.output_nr, self.vc)
        return self.tensor  # type: ignore[return-value]


class HookedSaved(SavedTensor):
    """A saved tensor packed by saved-tensor hooks (torch.autograd.graph.saved_tensors_hooks):
    ``pack_hook(t)`` ran when it was saved, ``unpack_hook(packed)`` runs at each use. As in
    torch, no version check (the hooks own the value) and no reference to the tensor itself."""

    __slots__ = ("accumulator", "grad_fn", "meta", "packed", "requires_grad", "unpack_hook")

    def check(self, node: Node) -> None:
        return None

    def value(self, grad_mode: bool) -> TensorT:
        """``unpack_hook(packed)``, checked to be a Tensor (grad mode off unless
        ``grad_mode``: a plain backward runs without it, as torch's)."""
        if grad_mode:
            out = self.unpack_hook(self.packed)
        else:
            prev = _enabled[0]
            _enabled[0] = False
            try:
                out = self.unpack_hook(self.packed)
            finally:
                _enabled[0] = prev
        if not isinstance(out, _tensor_cls[0]):
            raise InvalidTypeError(
                "Output of saved tensor unpack_hook expected to be a Tensor but got result of "
                f"type {type(out).__name__}")
        if self.requires_grad and self.grad_fn is None and not self.is_output \
                and out._data.dtype.kind not in "fc":
            # torch's SavedVariable::unpack makes a saved leaf require grad again
            raise InvalidArgumentError(
                "Only Tensors of floating point and complex dtype can require gradients")
        return out

    @property  # type: ignore[override]
    def data(self) -> Any:
        return self.value(False)._data

    def unpack(self, node: Node) -> TensorT:
        """The unpacked value as a Tensor linked to the saved tensor's place in the graph."""
        Tensor = _tensor_cls[0]
        data = self.value(True)._data
        if self.is_output:
            view_fn = self.view_fn() if self.view_fn is not None else None
            if view_fn is not None:
                return Tensor._make(data, view_fn, 0, None)
            return Tensor._make(data, node, self.output_nr, None)
        if self.grad_fn is not None:
            return Tensor._make(data, self.grad_fn, self.output_nr, None)
        t = Tensor._make(data, None, 0, None)
        if self.requires_grad:
            t._requires_grad = True
            t._accumulator = self.accumulator
        return t


PACK_INPLACE = (
    "A saved tensor pack hook is modifying its input in place. Tensors provided as input to "
    "pack hook cannot be modified by in-place operations as this can lead to unexpected "
    "side-effects. Please open an issue if you need to perform in-place operations on the "
    "input to a pack hook.")


def hook_saved(st: SavedTensor, t: TensorT, pack: Any, unpack: Any) -> HookedSaved:
    """``st`` (the saved tensor ``t``) packed with ``pack`` (grad mode off, as torch's)."""
    h = object.__new__(HookedSaved)
    h.is_output = is_output = st.is_output
    h.output_nr = st.output_nr
    h.view_fn = st.view_fn
    h.tensor = None
    h.version = st.version
    h.vc = (st.version,)
    data = st.data
    h.meta = (data.shape, data.dtype)
    h.grad_fn = None if is_output else t.grad_fn
    h.requires_grad = t._requires_grad
    h.accumulator = t._accumulator if not is_output and t.grad_fn is None else None
    vc = t._vc
    version = vc[0]
    prev = _enabled[0]
    _enabled[0] = False
    try:
        packed = pack(t)
    finally:
        _enabled[0] = prev
    if vc[0] != version:
        from .errors import AdcliError

        raise AdcliError(PACK_INPLACE)
    h.packed = packed
    h.unpack_hook = unpack
    return h


# The in-place view ops' nodes, which torch names with their overload number ("Transpose1").
_NUMBERED = frozenset({"TransposeBackward1", "TBackward1", "UnsqueezeBackward1"})


def _origin(name: str) -> str:
    """How torch names a tensor's producer in the in-place error: ``ExpBackward0`` -> Exp."""
    if name in _NUMBERED:
        return name.replace("Backward", "")
    return name.rsplit("Backward", 1)[0]


# Saved-tensor hooks: the (pack, unpack) pairs of the active saved_tensors_hooks contexts
# (innermost last), and disable_saved_tensors_hooks' message. The recorders check only
# ``_check_saved[0]`` (grad_mode: hooks active or inference tensors alive).
_hooks: list[tuple[Any, Any]] = []
_hooks_disabled: list[str | None] = [None]

SAVE_INFERENCE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")


def update_check_saved() -> None:
    """Recompute ``_check_saved`` after the hooks stack changed."""
    _hooks_active[0] = bool(_hooks)
    _check_saved[0] = bool(_hooks) or _live_inference[0] > 0


def pack_one(st: SavedTensor, t: TensorT) -> SavedTensor:
    """``st`` refused if it is an inference tensor, else packed with the innermost active
    hooks, if any (only called when ``_check_saved[0]``)."""
    if type(st.vc) is InferenceVersion:
        from .errors import AdcliError

        raise AdcliError(SAVE_INFERENCE)
    if not _hooks:
        return st
    msg = _hooks_disabled[0]
    if msg is not None:
        from .errors import AdcliError

        raise AdcliError(msg)
    pack, unpack = _hooks[-1]
    return hook_saved(st, t, pack, unpack)


def pack_saved(node: Node, res: TensorT | None) -> None:
    """Pack the node's plain saved tensors (inputs, and the output ``res``) in the order they
    were saved, as torch does when a saved_tensors_hooks context is active."""
    saved = node._saved
    if not saved:
        return
    if not _hooks:  # only inference tensors to refuse
        for st in saved.values():
            if type(st) is SavedTensor and type(st.vc) is InferenceVersion:
                from .errors import AdcliError

                raise AdcliError(SAVE_INFERENCE)
        return
    # torch's order: the saved inputs by name (its generated nodes declare them sorted),
    # then the outputs as saved
    names = sorted(n for n, st in saved.items() if type(st) is SavedTensor and not st.is_output)
    names += [n for n, st in saved.items() if type(st) is SavedTensor and st.is_output]
    for name in names:
        st = saved[name]
        saved[name] = pack_one(st, res if st.is_output else st.tensor)


class RawSavedTensor:
    """``grad_fn._raw_saved_<name>``: torch's ``SavedTensor`` handle on one saved value;
    ``register_hooks(pack_hook, unpack_hook)`` packs it now and unpacks it at each use."""

    __slots__ = ("name", "node")

    def __init__(self, node: Node, name: str) -> None:
        self.node = node
        self.name = name

    def register_hooks(self, *hooks: Any) -> None:
        """``register_hooks(pack_hook, unpack_hook)``."""
        if len(hooks) != 2 or not all(callable(h) for h in hooks):
            raise TypeError(
                "register_hooks(): incompatible function arguments. The following argument "
                "types are supported:\n    1. (self: torch._C._autograd.SavedTensor, arg0: "
                "collections.abc.Callable, arg1: collections.abc.Callable) -> None")
        pack_hook, unpack_hook = hooks
        node = self.node
        saved = node._saved
        if saved is None:
            from .errors import AdcliError

            raise AdcliError(
                "Calling register_hooks on a saved tensor after it has been freed. Saved "
                "intermediate values of the graph are freed when you call .backward() or "
                "autograd.grad(). Specify retain_graph=True if you need to backward through "
                "the graph a second time or if you need to access saved variables after "
                "calling backward.")
        st = saved.get(self.name)
        if type(st) is HookedSaved:
            from .errors import AdcliError

            raise AdcliError("Calling register_hooks on a saved tensor whose hooks have already "
                             "been set. Hint: only one pair of hooks is allowed at a time.")
        if type(st) is not SavedTensor:
            return  # a saved number or nothing: no tensor to pack
        t = st.tensor if not st.is_output else \
            _tensor_cls[0]._make(st.data, node, st.output_nr, st.vc)
        saved[self.name] = hook_saved(st, t, pack_hook, unpack_hook)

    def __repr__(self) -> str:
        return f"<torch._C._autograd.SavedTensor object at {id(self):#x}>"


RawSavedTensor.__name__ = RawSavedTensor.__qualname__ = "SavedTensor"


def saved_accessors(names: Iterable[str]) -> dict[str, Any]:
    """``_saved_<name>`` and ``_raw_saved_<name>`` properties for a node class, as torch's
    generated nodes have: the saved value (unpacked, through hooks if any) and its handle."""
    out: dict[str, Any] = {}
    for name in names:
        def value(node: Node, name: str = name) -> Any:
            saved = node._saved
            if saved is None:
                if node._freed:
                    raise GraphFreedError()
                return None
            st = saved.get(name)
            if st is None:
                return None
            if type(st) is SavedTensor:
                st.check(node)
                return st.tensor if not st.is_output else st.unpack(node)
            if type(st) is HookedSaved:
                return st.unpack(node)
            return st.data  # a saved number, as torch gives it

        def raw(node: Node, name: str = name) -> RawSavedTensor:
            return RawSavedTensor(node, name)

        out[f"_saved_{name}"] = property(value)
        out[f"_raw_saved_{name}"] = property(raw)
    return out


class SavedConst:
    """A plain number saved for backward (PyTorch saves it as a wrapped 0-d tensor)."""

    __slots__ = ("data",)
    vc = (0,)
    version = 0
    is_output = False

    def __init__(self, value: Any) -> None:
        self.data = value

    def check(self, node: Node) -> None:
        return None

    def unpack(self, node: Node) -> Any:
        # Under create_graph the number is PyTorch's wrapped 0-d tensor, so a formula's
        # ``grad * other`` records mul.Tensor (MulBackward0), not mul.Scalar.
        value = self.data
        if not isinstance(value, int | float | bool) or isinstance(value, np.generic):
            return value
        dt = next((d for d in node.dtypes if d is not None and d.kind in "fc"), None)
        if dt is None:
            return value
        return _tensor_cls[0]._make(np.asarray(value, dtype=dt), None, 0, None)


def freed_record(saved: Iterable[tuple[str, Any]]) -> tuple[Any, ...] | bool:
    """What stays of released saved values for inspectors: (name, shape, dtype, version) each,
    or True when there was nothing to describe."""
    return tuple([
        (name, st.data.shape, st.data.dtype, st.version) if type(st) is SavedTensor
        else (name, *st.meta, st.version) if type(st) is HookedSaved
        else (name, (), type(st.data), st.version)  # a saved number
        for name, st in saved
        if st is not None and (type(st) is HookedSaved or st.data is not None)]) or True


def freed_info(freed: tuple[Any, ...] | bool) -> list[dict[str, Any]]:
    """``saved_tensors_info`` entries for a :func:`freed_record`."""
    if freed is True:
        return [{"name": "<freed>", "freed": True}]
    return [{"name": name, "shape": list(shape), "dtype": np.dtype(dtype).name,
             "version": version, "current_version": None, "freed": True}
            for name, shape, dtype, version in freed or ()]


_NO_ATTRS: dict[str, Any] = {}


_CPP_PREFIX = "torch::autograd::"
# The nodes PyTorch implements by hand in C++ (not generated from derivatives.yaml).
_CPP_NODES = frozenset({"AccumulateGrad", "CopySlices", "CopyBackwards", "NotImplemented"})


def _display(node: Any) -> str:
    return node.name().removeprefix(_CPP_PREFIX)


class Node:
    """Base of every grad_fn: edges to the next nodes, saved tensors, hooks."""

    # A node is made per recorded op and read on every backward step: what every node has
    # lives in slots (set once, read without a dict lookup); what few nodes have (hooks,
    # metadata, an anomaly trace, a custom Function's context) goes to a ``__dict__`` that is
    # created only when first written, under the class-level defaults below.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_freed",
        "_hooked",
        "_saved",
        "attrs",
        "dtypes",
        "n_outputs",
        "next_functions",
        "seq_nr",
        "shapes",
    )
    next_functions: tuple[Edge, ...]
    shapes: tuple[tuple[int, ...], ...]
    dtypes: tuple[Any, ...]
    attrs: dict[str, Any]
    seq_nr: float  # creation order (next_seq()) when recorded
    n_outputs: int
    _saved: dict[str, SavedTensor] | None
    # After release: per freed tensor (name, shape, dtype, version), or True if none was kept.
    _freed: tuple[tuple[str, tuple[int, ...], Any, int], ...] | bool
    # True once any hook below or a retained grad is registered: backward checks only this.
    _hooked: bool
    _pre_hooks: dict[int, list[Any]] | None = None  # tensor hooks, per output
    _node_pre_hooks: list[Any] | None = None  # register_prehook(fn(grad_outputs))
    _post_hooks: list[Any] | None = None  # register_hook(fn(grad_inputs, grad_outputs))
    _retain: dict[int, Any] | None = None

    def __init__(self) -> None:
        # The defaults; OpDef's recorder sets the same slots directly.
        self.next_functions = ()
        self.shapes = ()
        self.dtypes = ()
        self.attrs = _NO_ATTRS
        self.seq_nr = 0
        self.n_outputs = 1
        self._saved = None
        self._freed = False
        self._hooked = False

    def name(self) -> str:
        """PyTorch's name for this node, e.g. ``MulBackward0``; the nodes PyTorch writes in C++
        by hand carry its namespace (``torch::autograd::AccumulateGrad``). Their class name and
        repr are plain, and adcli's views show that display name."""
        n = type(self).__name__
        return _CPP_PREFIX + n if n in _CPP_NODES else n

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    # -- saved tensors -----------------------------------------------------------------------
    def save(self, name: str, t: TensorT, is_output: bool = False) -> None:
        if self._saved is None:
            self._saved = {}
        st = SavedTensor(t, is_output)
        if _check_saved[0]:
            st = pack_one(st, t)
        self._saved[name] = st

    def save_const(self, name: str, value: Any) -> None:
        if self._saved is None:
            self._saved = {}
        self._saved[name] = SavedConst(value)  # type: ignore[assignment]

    @property
    def saved_tensors_info(self) -> list[dict[str, Any]]:
        """Name, shape, dtype, version and freed state of each saved tensor (for inspectors)."""
        out = []
        for name, st in (self._saved or {}).items():
            if type(st) is HookedSaved:  # described without calling the unpack hook
                shape, dt = st.meta
            else:
                if st.data is None:  # an optional input not given (layer_norm without bias)
                    continue
                arr = np.asarray(st.data)
                shape, dt = arr.shape, arr.dtype
            out.append({
                "name": name, "shape": list(shape), "dtype": dt.name,
                "version": st.version, "current_version": st.vc[0], "freed": False,
            })
        if self._freed:
            out.extend(freed_info(self._freed))
        return out

    def release(self) -> None:
        """Free saved tensors (after a backward without retain_graph)."""
        saved = self._saved
        if saved is not None:
            self._saved = None
            # freed_record's entries, built inline: this runs for every node in backward
            # (by type: each attribute read then sees one class, which 3.11 specialises)
            if len(saved) == 1:  # the common case, without the list
                [(name, st)] = saved.items()
                if type(st) is SavedTensor:
                    data = st.data
                    if data is not None:
                        self._freed = ((name, data.shape, data.dtype, st.version),)
                        return
                elif type(st) is HookedSaved:  # (its data would call the unpack hook)
                    self._freed = ((name, *st.meta, st.version),)
                    return
                else:
                    data = st.data
                    if data is not None:
                        self._freed = ((name, (), type(data), 0),)
                        return
                self._freed = True
                return
            rec = []
            for name, st in saved.items():
                if type(st) is SavedTensor:
                    data = st.data
                    if data is not None:
                        rec.append((name, data.shape, data.dtype, st.version))
                elif type(st) is HookedSaved:
                    rec.append((name, *st.meta, st.version))
                else:  # a saved number
                    data = st.data
                    if data is not None:
                        rec.append((name, (), type(data), 0))
            self._freed = tuple(rec) or True

    def unpack_saved(self, as_tensors: bool) -> dict[str, Any]:
        """Saved values after a version check: arrays, or graph-linked Tensors."""
        saved = self._saved
        if saved is None:
            if self._freed:
                raise GraphFreedError()
            return {}
        out: dict[str, Any] = {}
        for name, st in saved.items():
            st.check(self)
            out[name] = st.unpack(self) if as_tensors else st.data
        return out

    # -- hooks ----------------------------------------------------------------------------------
    def _tensor_prehook(self, output_nr: int, fn: Any) -> None:
        """A tensor's hook (``t.register_hook``) on the gradient of output ``output_nr``."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._hooked = True
        self._pre_hooks.setdefault(output_nr, []).append(fn)

    def register_prehook(self, fn: Any) -> RemovableHandle:
        """``fn(grad_outputs) -> tuple | None`` before this node runs, as PyTorch's Node."""
        if self._node_pre_hooks is None:
            self._node_pre_hooks = []
        self._hooked = True
        self._node_pre_hooks.append(fn)
        return RemovableHandle(self._node_pre_hooks, fn)

    def register_hook(self, fn: Any) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs) -> tuple | None`` after this node ran, as PyTorch's
        Node; a returned tuple replaces the gradients it passes on."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._hooked = True
        self._post_hooks.append(fn)
        return RemovableHandle(self._post_hooks, fn)

    @property
    def metadata(self) -> dict[str, Any]:
        """A dict for the user's own annotations (PyTorch's ``Node.metadata``)."""
        md = self.__dict__.get("_metadata")
        if md is None:
            md = self.__dict__["_metadata"] = {}
        return md

    def set_retain(self, output_nr: int, tensor: TensorT) -> None:
        if self._retain is None:
            self._retain = {}
        self._hooked = True
        self._retain[output_nr] = weakref.ref(tensor)

    # -- backward ----------------------------------------------------------------------------
    def apply(self, grads: list[Any], as_tensors: bool) -> tuple[Any, ...]:
        """Gradients for each edge in ``next_functions`` given the output gradients."""
        raise NotImplementedError

    def _np_apply(self, grads: list[Any]) -> tuple[Any, ...]:
        """``apply(grads, False)``: what a plain backward calls (OpNodes specialise it)."""
        return self.apply(grads, False)

    def _np_step(self, grads: list[Any], buffers: dict[Node, list[Any]], route: Any,
                 release: bool) -> None:
        """A plain backward's step for a node without hooks (anomaly mode off) that has a
        gradient: apply, release (``release``), and ``route(next_node, nr, grad)`` for each
        edge. OpNodes specialise it; a node with a fresh single-output op node as its input
        may put ``[grad]`` into ``buffers`` itself."""
        outs = self._np_apply(grads)
        if release:
            self.release()
        for (nxt, nr), g in zip(self.next_functions, outs):
            if nxt is not None:
                route(nxt, nr, g)

    def describe(self) -> str:
        """One line on what this node computes in backward."""
        return ""


class GradientEdge(NamedTuple):
    """An edge of the graph, as ``torch.autograd.graph.GradientEdge``: usable in ``inputs=``
    of ``grad`` and ``backward`` for a gradient at that place."""

    node: Node
    output_nr: int
    ownership_token: Any = None


class RemovableHandle(_Handle):
    """Returned by a node's ``register_hook`` / ``register_prehook``; ``remove()`` undoes it."""

    def __init__(self, hooks: list[Any], fn: Any) -> None:
        self._new_id()
        self._hooks = hooks
        self._fn = fn

    def remove(self) -> None:
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds incoming gradients into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: TensorT) -> None:
        super().__init__()
        self.seq_nr = float("inf")  # as PyTorch: accumulate as soon as all gradients are in
        self.variable = variable
        self.shapes = (variable.shape,)


    def apply(self, grads: list[Any], as_tensors: bool, owned: bool = False) -> tuple[Any, ...]:
        """Accumulate; ``owned`` says the array is fresh and referenced nowhere else."""
        Tensor = _tensor_cls[0]
        g = grads[0]
        if g is None:
            return ()
        var = self.variable
        if as_tensors:
            # create_graph: keep the gradient's own history, accumulate out of place.
            if not isinstance(g, Tensor):
                g = Tensor._make(g, None, 0, None)
            if g._data.dtype != var._data.dtype:
                g = g.to(var.dtype)
            var._grad = g if var._grad is None else var._grad + g
            return ()
        arr = g._data if isinstance(g, Tensor) else g
        if var._grad is None:
            if not (owned and arr.dtype == var._data.dtype and arr.shape == var._data.shape):
                # A private buffer: the incoming array may be shared with other edges or the caller.
                if arr.shape == var._data.shape:
                    arr = arr.astype(var._data.dtype, copy=True)
                else:
                    arr = np.array(np.broadcast_to(arr, var._data.shape), dtype=var._data.dtype)
            var._grad = Tensor._make(arr, None, 0, None)
        else:
            var._grad._data += arr
            var._grad._vc[0] += 1
        return ()

    def describe(self) -> str:
        return "adds the incoming gradient into .grad of the leaf"
