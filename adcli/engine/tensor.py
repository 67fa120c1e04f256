"""The Tensor: a NumPy array plus the autograd bookkeeping PyTorch keeps on a tensor."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import device as _device
from . import dtypes
from . import node as _node_module
from . import stopgrad as _stopgrad
from .errors import AdcliError, IndexOutOfRangeError, InvalidArgumentError, InvalidTypeError
from .grad_mode import InferenceVersion, _inference, is_inference_view, new_version
from .hooks import RemovableHandle
from .limits import check_shape
from .node import AccumulateGrad, Node

_C_TYPE = {"float32": "float", "float64": "double", "int64": "long int", "bool": "bool"}


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    Create tensors with :func:`adcli.tensor` and friends rather than this constructor.
    """

    __slots__ = (
        "__weakref__",
        "_accumulator",
        "_base",
        "_data",
        "_grad",
        "_leaf_hooks",
        "_output_nr",
        "_requires_grad",
        "_retains_grad",
        "_vc",
        "_views",
        "grad_fn",
    )
    __array_priority__ = 1000  # numpy scalars on the left defer to our operators

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self._data = as_array(data, dtype)
        self._requires_grad = False
        self._grad: Tensor | None = None
        self.grad_fn: Node | None = None
        self._output_nr = 0
        self._vc = new_version()
        self._accumulator: weakref.ref[AccumulateGrad] | None = None
        self._base: Tensor | None = None
        self._views: Any = None  # weak set of this tensor's live views (engine/views.py)
        self._retains_grad = False
        self._leaf_hooks: list[Callable[..., Any]] | None = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data: np.ndarray, grad_fn: Node | None, output_nr: int,
              vc: list[int] | None) -> Tensor:
        # The hot-path constructor: no conversion, no checks.
        t = object.__new__(cls)
        t._data = data
        t._requires_grad = grad_fn is not None
        t._grad = None
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._vc = vc if vc is not None else [0] if not _inference[0] else InferenceVersion((0,))
        t._accumulator = None
        t._base = None
        t._views = None
        t._retains_grad = False
        t._leaf_hooks = None
        return t

    # -- basic attributes --------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        if not self._data.ndim and isinstance(dim, int | np.integer):
            raise IndexOutOfRangeError(
                f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise InvalidTypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        # As PyTorch: the same rules as requires_grad_() (leaves only, floating dtypes only).
        self.requires_grad_(value)

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (leaves, and tensors that ``retain_grad()``)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        # PyTorch's checks and messages: a Tensor or None, of this tensor's size and dtype.
        if value is not None:
            if not isinstance(value, Tensor):
                t = type(value)
                name = t.__qualname__ if t.__module__ == "builtins" else \
                    f"{t.__module__}.{t.__qualname__}"
                raise InvalidTypeError("assigned grad expected to be a Tensor or None but got "
                                       f"grad of type {name}")
            if value._data.shape != self._data.shape:
                raise InvalidArgumentError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise InvalidArgumentError(
                    "attempting to assign a gradient with dtype "
                    f"'{_C_TYPE.get(value._data.dtype.name, value._data.dtype.name)}' to a tensor "
                    f"with grad_dtype '{dtypes.scalar_type_name(self._data.dtype)}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can "
                    "set the tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match.")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None  # `del x.grad`, as torch

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def _is_view(self) -> bool:
        """Whether this tensor is a view of another (``Tensor._is_view``)."""
        return self._base is not None

    @property
    def data(self) -> Tensor:
        """The same storage, detached from the graph (as ``tensor.data`` in PyTorch)."""
        t = Tensor._make(self._data, None, 0, [0])
        return t if _stopgrad.hook[0] is None else _stopgrad.held(".data", t)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def _version(self) -> int:
        if type(self._vc) is InferenceVersion:
            raise AdcliError("Inference tensors do not track version counter.")
        return self._vc[0]

    def is_inference(self) -> bool:
        """True for an inference tensor: made inside ``inference_mode()`` (or a view of one)."""
        return type(self._vc) is InferenceVersion

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        """True when the elements are laid out in row-major order (``.view()`` works)."""
        return bool(self._data.flags.c_contiguous)

    @property
    def device(self) -> _device.device:
        return _device.CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_cpu(self) -> bool:
        return True

    def get_device(self) -> int:
        """-1: the CPU (as PyTorch)."""
        return -1

    def cpu(self, memory_format: Any = None) -> Tensor:
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False, **kwargs: Any) -> Tensor:
        raise AssertionError(_device.NO_CUDA)

    # -- conversion --------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying array (shares memory), even when the tensor requires grad
        (``force`` accepted as torch's: a CPU tensor needs nothing forced)."""
        if CONJ and is_conj(self) and not force:
            raise InvalidArgumentError(
                "Can't call numpy() on Tensor that has conjugate bit set. Use "
                "tensor.resolve_conj().numpy() instead.")
        return self._data

    def item(self) -> Any:
        if self._data.size != 1:
            raise InvalidArgumentError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        v = self._data.reshape(()).item()
        return v if _stopgrad.hook[0] is None else _stopgrad.held(".item()", v)

    def tolist(self) -> Any:
        v = self._data.tolist()
        return v if _stopgrad.hook[0] is None else _stopgrad.held(".tolist()", v)

    def __float__(self) -> float:
        return float(self._real_item("double"))

    def __int__(self) -> int:
        return int(self._real_item("int64_t"))

    def __complex__(self) -> complex:
        return complex(self.item())

    def _real_item(self, ctype: str) -> Any:
        # torch converts a complex value to a real C type only when its imaginary part is 0
        v = self.item()
        if isinstance(v, complex):
            if v.imag:
                raise InvalidArgumentError(
                    f"value cannot be converted to type {ctype} without overflow")
            return v.real
        return v

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise InvalidArgumentError(
                "Boolean value of Tensor with more than one value is ambiguous"
            )
        return bool(self._data.reshape(()).item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise InvalidTypeError(
                "only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise InvalidTypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))  # as torch: one UnbindBackward0, multi-output views

    __hash__ = object.__hash__

    # -- autograd ----------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None:
            if not requires_grad:
                raise InvalidArgumentError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise InvalidArgumentError(
                "only Tensors of floating point dtype can require gradients"
            )
        if requires_grad and not _inference[0] and type(self._vc) is InferenceVersion:
            raise AdcliError("Setting requires_grad=True on inference tensor outside "
                             "InferenceMode is not allowed.")
        self._requires_grad = bool(requires_grad)
        return self

    def _grad_accumulator(self) -> AccumulateGrad:
        acc = self._accumulator() if self._accumulator is not None else None
        if acc is None:
            if self._base is not None and is_inference_view(self):
                return None  # type: ignore[return-value]  # (torch's null edge)
            acc = AccumulateGrad(self)
            if self._leaf_hooks:
                for fn in self._leaf_hooks:
                    if type(fn) is _PostAccumulateHook:
                        acc.register_hook(fn)
                    else:
                        acc._tensor_prehook(0, fn)
            # Weak: the graph owns the accumulator, the leaf only finds it again.
            self._accumulator = weakref.ref(acc)
        return acc

    def _edge(self) -> tuple[Node | None, int]:
        if self.grad_fn is not None:
            return (self.grad_fn, self._output_nr)
        if self.requires_grad:
            return (self._grad_accumulator(), 0)
        return (None, 0)

    def detach(self) -> Tensor:
        """A tensor sharing storage and version counter, cut from the graph."""
        t = Tensor._make(self._data, None, 0, self._vc)
        return t if _stopgrad.hook[0] is None else _stopgrad.held("detach()", t)

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise InvalidArgumentError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise InvalidArgumentError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        self.grad_fn.set_retain(self._output_nr, self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Run ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self.requires_grad:
            raise InvalidArgumentError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        if self.grad_fn is not None:
            self.grad_fn._tensor_prehook(self._output_nr, hook)
            return _HookHandle([self.grad_fn._pre_hooks[self._output_nr]], hook)
        if self._leaf_hooks is None:
            self._leaf_hooks = []
        self._leaf_hooks.append(hook)
        lists = [self._leaf_hooks]
        acc = self._accumulator() if self._accumulator is not None else None
        if acc is not None:
            acc._tensor_prehook(0, hook)
            lists.append(acc._pre_hooks[0])
        return _HookHandle(lists, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """Run ``hook(tensor)`` on this leaf after backward accumulated into its ``.grad``."""
        if not self.requires_grad:
            raise InvalidArgumentError(
                "cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise InvalidArgumentError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors")
        wrapped = _PostAccumulateHook(self, hook)
        if self._leaf_hooks is None:
            self._leaf_hooks = []
        self._leaf_hooks.append(wrapped)  # (kept with the leaf: re-added to a new accumulator)
        lists = [self._leaf_hooks]
        acc = self._accumulator() if self._accumulator is not None else None
        if acc is not None:
            acc.register_hook(wrapped)
            lists.append(acc._post_hooks)
        return _HookHandle(lists, wrapped)

    # -- in-place bookkeeping ------------------------------------------------------------------
    def _bump(self) -> None:
        self._vc[0] += 1

    # -- printing (__repr__ is printing.tensor_repr, installed by methods.py) -----------------
    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return format(repr(self), spec)

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        if self.grad_fn is not None:
            raise InvalidArgumentError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment."
            )
        t = Tensor._make(self._data.copy(), None, 0, None)
        t._requires_grad = self._requires_grad
        return t


_node_module._tensor_cls.append(Tensor)


class Size(tuple):
    """A tensor shape, printed as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    # as torch.Size: slices, sums with tuples and repeats stay Sizes
    def __getitem__(self, i: Any) -> Any:
        out = tuple.__getitem__(self, i)
        return Size(out) if isinstance(i, slice) else out

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n: Any) -> Size:  # type: ignore[override]
        return Size(tuple(self) * n)

    __rmul__ = __mul__


class _PostAccumulateHook:
    """A leaf's post-accumulate-grad hook as its AccumulateGrad's node post-hook."""

    __slots__ = ("fn", "ref")

    def __init__(self, t: Tensor, fn: Callable[[Tensor], None]) -> None:
        self.ref = weakref.ref(t)
        self.fn = fn

    def __call__(self, grad_inputs: Any, grad_outputs: Any) -> None:
        t = self.ref()
        if t is not None:
            self.fn(t)


class _HookHandle(RemovableHandle):
    """Returned by ``register_hook``; ``remove()`` unregisters the hook (a context manager,
    as torch's RemovableHandle)."""

    def __init__(self, lists: list[list[Any]], hook: Any) -> None:
        self._new_id()
        self._lists = lists
        self._hook = hook

    def remove(self) -> None:
        for lst in self._lists:
            if self._hook in lst:
                lst.remove(self._hook)


# The complex tensors conj() made: torch's conjugate bit, observable through is_conj (by id,
# checked through a weak reference, since tensors compare elementwise and a WeakSet cannot
# hold them).
CONJ: dict[int, weakref.ref[Tensor]] = {}


def mark_conj(t: Tensor) -> None:
    key = id(t)
    CONJ[key] = weakref.ref(t, lambda _r: CONJ.pop(key, None))


def is_conj(t: Tensor) -> bool:
    ref = CONJ.get(id(t))
    return ref is not None and ref() is t


def _wrap_dim(dim: int, ndim: int) -> int:
    lo, hi = -max(ndim, 1), max(ndim, 1) - 1
    if not isinstance(dim, int | np.integer) or not lo <= dim <= hi:
        raise IndexOutOfRangeError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return int(dim) % max(ndim, 1)


def _infer_dtype(data: Any) -> dtypes.dtype:
    """PyTorch's inference: bools stay bool, ints int64, anything with a float the default,
    anything with a complex number the default's complex type."""
    kinds = set()

    def walk(x: Any, depth: int) -> None:
        if depth > 64:
            raise InvalidArgumentError("tensor data is nested too deeply")
        if isinstance(x, bool | np.bool_):
            kinds.add("b")
        elif isinstance(x, int | np.integer):
            kinds.add("i")
        elif isinstance(x, float | np.floating):
            kinds.add("f")
        elif isinstance(x, complex | np.complexfloating):
            kinds.add("c")
        elif isinstance(x, Tensor):
            kinds.add(x._data.dtype.kind)
        elif isinstance(x, list | tuple):
            for y in x:
                walk(y, depth + 1)
        else:
            raise InvalidArgumentError(
                f"tensor data must be numbers or nested lists of numbers, got {type(x).__name__}"
            )

    walk(data, 0)
    if "c" in kinds:
        return dtypes.default_complex()
    if "f" in kinds:
        return dtypes.get_default_dtype()
    if "i" in kinds or "u" in kinds:
        return dtypes.int64
    if "b" in kinds:
        return dtypes.bool_
    return dtypes.get_default_dtype()


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert tensor data (number, nested list, array, Tensor) to a fresh array."""
    if isinstance(data, Tensor):
        arr = data._data
        d = dtypes.to_dtype(dtype) if dtype is not None else dtypes.from_numpy(arr.dtype)
        return np.array(arr, dtype=d.np, copy=True)
    if isinstance(data, np.ndarray):
        d = dtypes.to_dtype(dtype) if dtype is not None else dtypes.from_numpy(data.dtype)
        check_shape(data.shape)
        return np.array(data, dtype=d.np, copy=True)
    d = dtypes.to_dtype(dtype) if dtype is not None else _infer_dtype(data)
    if isinstance(data, list | tuple):
        data = [x._data if isinstance(x, Tensor) else x for x in data] if data and isinstance(
            data[0], Tensor) else data
    try:
        arr = np.array(data, dtype=d.np)
    except TypeError as exc:
        if "not 'complex'" in str(exc):  # a complex number for a real dtype: torch's words
            raise InvalidTypeError("must be real number, not complex" if d.np.kind == "f" else
                                   "'complex' object cannot be interpreted as an integer") from None
        raise InvalidArgumentError(f"could not build a tensor from this data: {exc}") from None
    except ValueError as exc:
        raise InvalidArgumentError(f"could not build a tensor from this data: {exc}") from None
    if arr.dtype == object:
        raise InvalidArgumentError("tensor data has ragged nested lists")
    return arr
