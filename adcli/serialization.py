"""``torch.save`` and ``torch.load`` in torch's zip file format, without torch.

A file is a zip archive ``<name>/data.pkl`` (the object, pickled with protocol 2), one record
``<name>/data/<key>`` per storage (its raw little-endian bytes, 64-byte aligned), and torch's
``.format_version``, ``.storage_alignment``, ``byteorder``, ``version`` and
``.data/serialization_id`` records. In the pickle, a tensor is
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`` with
the storage a persistent id ``("storage", torch.FloatStorage, key, "cpu", numel)``: tensors
that view one storage keep sharing it, both ways.

adcli writes the torch globals with the pure-Python pickler (``pickle._Pickler``) emitting
``GLOBAL torch ...`` opcodes itself, and reads them back through an unpickler that maps each
torch name to adcli's object; with ``weights_only=True`` (torch 2.13's default) only torch's
default allowlist (and :func:`add_safe_globals`) may appear, as in torch.
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import pickle
import secrets
import struct
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from .engine import dtypes
from .engine.device import as_device, check
from .engine.ops.bookkeeping import LAYOUTS
from .engine.storage import root_array
from .engine.tensor import Size, Tensor

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
_ALIGN = 64
# torch's typed storage classes (torch.FloatStorage, ...): the dtypes whose tensors are pickled
# with _rebuild_tensor_v2; the newer unsigned ones go through _rebuild_tensor_v3.
_TYPED = {d.name: f"{d.scalar}Storage" for d in dtypes.HAS_TENSORS
          if d.name not in ("uint16", "uint32", "uint64")}
_STORAGE_DTYPE = {v: dtypes.NAMES[k] for k, v in _TYPED.items()}
_STORAGE_DTYPE.update({"BFloat16Storage": dtypes.NAMES["bfloat16"],
                       "ComplexFloatStorage": dtypes.NAMES["complex64"],
                       "ComplexDoubleStorage": dtypes.NAMES["complex128"]})


# ----------------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------------
class _Global:
    """A torch global to emit as a ``GLOBAL module name`` opcode (torch is never imported)."""

    __slots__ = ("module", "name")
    _cache: dict[tuple[str, str], _Global] = {}

    def __new__(cls, module: str, name: str) -> _Global:
        key = (module, name)
        if key not in cls._cache:
            obj = super().__new__(cls)
            obj.module, obj.name = module, name
            cls._cache[key] = obj
        return cls._cache[key]

    def __call__(self, *args: Any) -> Any:  # (pickle's save_reduce wants a callable)
        raise TypeError(f"{self.module}.{self.name} is torch's: adcli only writes its name")


class _StorageRef:
    """A storage to write: its root array, the key of its record and its element dtype."""

    __slots__ = ("dtype", "key", "root")

    def __init__(self, root: np.ndarray, key: str, dtype: dtypes.dtype) -> None:
        self.root, self.key, self.dtype = root, key, dtype


class _TorchPickler(pickle._Pickler):  # type: ignore[name-defined,misc]
    """torch's pickle of tensors, parameters, dtypes, devices and sizes."""

    dispatch = dict(pickle._Pickler.dispatch)  # type: ignore[attr-defined]

    def __init__(self, file: IO[bytes], protocol: int) -> None:
        super().__init__(file, protocol)
        self.storages: dict[int, _StorageRef] = {}

    def persistent_id(self, obj: Any) -> Any:
        if type(obj) is _StorageRef:
            if obj.dtype.name in _TYPED:
                kind, numel = _Global("torch", _TYPED[obj.dtype.name]), obj.root.size
            else:
                kind, numel = _Global("torch.storage", "UntypedStorage"), obj.root.nbytes
            return ("storage", kind, obj.key, "cpu", int(numel))
        return None

    def _storage(self, t: Tensor) -> tuple[_StorageRef, int, tuple[int, ...]]:
        """The storage a tensor views, its offset and strides (in elements)."""
        arr = t._data
        root = root_array(arr)
        item = arr.itemsize
        ptr = arr.__array_interface__["data"][0]
        rptr = root.__array_interface__["data"][0]
        shares = (root.dtype == arr.dtype and root.flags.c_contiguous
                  and (ptr - rptr) % item == 0 and all(s % item == 0 and s >= 0
                                                       for s in arr.strides))
        if not shares:  # a view NumPy made another way: the tensor gets its own storage
            root = np.ascontiguousarray(arr).reshape(-1).copy()
            ptr = rptr = root.__array_interface__["data"][0]
        ref = self.storages.get(id(root))
        if ref is None:
            ref = _StorageRef(root, str(len(self.storages)), dtypes.from_numpy(root.dtype))
            self.storages[id(root)] = ref
        strides = tuple(s // item for s in arr.strides) if shares else tuple(
            int(np.prod(arr.shape[i + 1:], dtype=np.int64)) for i in range(arr.ndim))
        return ref, (ptr - rptr) // item, strides

    def _tensor_reduce(self, t: Tensor, requires_grad: bool) -> tuple[Any, tuple[Any, ...]]:
        ref, offset, strides = self._storage(t)
        hooks = collections.OrderedDict()
        args = (ref, offset, tuple(t._data.shape), strides, requires_grad, hooks)
        if ref.dtype.name in _TYPED:
            return _Global("torch._utils", "_rebuild_tensor_v2"), args
        return _Global("torch._utils", "_rebuild_tensor_v3"), (*args, ref.dtype)

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter

            if isinstance(obj, Parameter):
                plain = Tensor._make(obj._data, None, 0, None)
                return (_Global("torch._utils", "_rebuild_parameter"),
                        (plain, obj.requires_grad, collections.OrderedDict()))
            return self._tensor_reduce(obj, obj.requires_grad)
        if isinstance(obj, Size):
            return _Global("torch", "Size"), (tuple(obj),)
        if type(obj).__name__ == "device" and type(obj).__module__ == "adcli.engine.device":
            return _Global("torch", "device"), (str(obj),)
        return NotImplemented

    def _save_global_marker(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    def _save_dtype(self, obj: dtypes.dtype) -> None:
        self.save(_Global("torch", obj.name))

    def _save_layout(self, obj: Any) -> None:
        self.save(_Global("torch", obj.name))

    dispatch[_Global] = _save_global_marker
    dispatch[dtypes.dtype] = _save_dtype
    dispatch[type(LAYOUTS["strided"])] = _save_layout


def _archive_name(f: Any) -> str:
    if isinstance(f, str | os.PathLike):
        return Path(f).stem or "archive"
    return "archive"


def _write_record(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    """One stored record whose bytes start on a 64-byte boundary (as torch aligns them)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    start = zf.start_dir if hasattr(zf, "start_dir") else zf.fp.tell()  # type: ignore[union-attr]
    header = 30 + len(name.encode()) + 4
    pad = (-(start + header)) % _ALIGN
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    zf.writestr(info, data)


def save(obj: Any, f: str | os.PathLike[str] | IO[bytes], pickle_module: Any = pickle,
         pickle_protocol: int = DEFAULT_PROTOCOL, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` to ``f`` (a path or a binary file object) in torch's zip format."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("adcli writes torch's zip format only "
                                  "(_use_new_zipfile_serialization=True)")
    buf = io.BytesIO()
    pickler = _TorchPickler(buf, pickle_protocol)
    pickler.dump(obj)
    name = _archive_name(f)
    target: Any = f
    if isinstance(f, str | os.PathLike):
        target = open(f, "wb")  # noqa: SIM115 - closed below
    try:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
            _write_record(zf, f"{name}/data.pkl", buf.getvalue())
            _write_record(zf, f"{name}/.format_version", b"1")
            _write_record(zf, f"{name}/.storage_alignment", str(_ALIGN).encode())
            if not _disable_byteorder_record:
                _write_record(zf, f"{name}/byteorder", sys.byteorder.encode())
            refs = sorted(pickler.storages.values(), key=lambda r: int(r.key))
            for ref in refs:
                data = np.ascontiguousarray(ref.root)
                if sys.byteorder == "big":
                    data = data.byteswap()
                _write_record(zf, f"{name}/data/{ref.key}", data.tobytes())
            _write_record(zf, f"{name}/version", b"3\n")
            serial = "".join(str(secrets.randbelow(10)) for _ in range(40))
            _write_record(zf, f"{name}/.data/serialization_id", serial.encode())
    finally:
        if target is not f:
            target.close()


# ----------------------------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------------------------
class _StorageType:
    """``torch.FloatStorage`` & co. in a file: the element dtype of a persistent storage."""

    def __init__(self, name: str, dtype: dtypes.dtype | None) -> None:
        self.name, self.dtype = name, dtype


class _LoadedStorage:
    """A storage read from a file: a flat array of its bytes in its element dtype."""

    def __init__(self, data: np.ndarray, location: str) -> None:
        self.data, self.location = data, location

    @property
    def device(self) -> Any:
        return as_device("cpu")

    def cpu(self) -> _LoadedStorage:
        return self

    def nbytes(self) -> int:
        return int(self.data.nbytes)

    def size(self) -> int:
        return int(self.data.size)


def _as_dtype(storage: _LoadedStorage, d: dtypes.dtype) -> np.ndarray:
    data = storage.data
    return data if data.dtype == d.np else data.view(d.np)


def _rebuild_tensor_v2(storage: _LoadedStorage, storage_offset: int, size: Any, stride: Any,
                       requires_grad: bool, backward_hooks: Any = None,
                       metadata: Any = None) -> Tensor:
    return _rebuild(storage.data, storage_offset, size, stride, requires_grad)


def _rebuild_tensor_v3(storage: _LoadedStorage, storage_offset: int, size: Any, stride: Any,
                       requires_grad: bool, backward_hooks: Any, dtype: dtypes.dtype,
                       metadata: Any = None) -> Tensor:
    return _rebuild(_as_dtype(storage, dtype), storage_offset, size, stride, requires_grad)


def _rebuild_tensor(storage: _LoadedStorage, storage_offset: int, size: Any,
                    stride: Any) -> Tensor:
    return _rebuild(storage.data, storage_offset, size, stride, False)


def _rebuild(flat: np.ndarray, offset: int, size: Any, stride: Any,
             requires_grad: bool) -> Tensor:
    item = flat.itemsize
    shape = tuple(int(n) for n in size)
    # an ndarray over the storage's buffer: every tensor of one storage shares its root
    data = np.ndarray(shape, dtype=flat.dtype, buffer=flat, offset=int(offset) * item,
                      strides=tuple(int(s) * item for s in stride))
    t = Tensor._make(data, None, 0, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any = None) -> Any:
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data: Tensor, requires_grad: bool, backward_hooks: Any,
                                  state: Any) -> Any:
    param = _rebuild_parameter(data, requires_grad)
    if isinstance(state, tuple) and len(state) == 2:
        state = {**(state[0] or {}), **(state[1] or {})}
    for k, v in (state or {}).items():
        setattr(param, k, v)
    return param


def _get_layout(name: str) -> Any:
    return LAYOUTS[name.removeprefix("torch.")]


def _device(*args: Any) -> Any:
    return as_device(*args)


def _size(*args: Any) -> Size:
    return Size(*args)


def _torch_globals() -> dict[str, Any]:
    """torch's default ``weights_only`` allowlist, each name mapped to adcli's object."""
    from .nn.parameter import Parameter

    rc: dict[str, Any] = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.serialization._get_layout": _get_layout,
        "torch.Size": _size, "torch.Tensor": Tensor, "torch.device": _device,
        "_codecs.encode": __import__("_codecs").encode,
        "builtins.bytearray": bytearray, "builtins.set": set, "builtins.complex": complex,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch.storage.UntypedStorage": _StorageType("UntypedStorage", dtypes.uint8),
    }
    for name, d in dtypes.NAMES.items():
        if name == d.name:
            rc[f"torch.{name}"] = d
    for cls, d in _STORAGE_DTYPE.items():
        rc[f"torch.{cls}"] = _StorageType(cls, d)
    for name in ("strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr",
                 "sparse_bsc"):
        rc[f"torch.{name}"] = LAYOUTS[name]
    return rc


_SAFE: dict[str, Any] = {}


def _qualname(obj: Any) -> str:
    if isinstance(obj, tuple):
        return obj[1]
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals: list[Any]) -> None:
    """Allow these classes and functions in ``load(..., weights_only=True)`` files (a pair
    ``(obj, "module.name")`` allows ``obj`` under that name)."""
    for g in safe_globals:
        _SAFE[_qualname(g)] = g[0] if isinstance(g, tuple) else g


def get_safe_globals() -> list[Any]:
    return list(_SAFE.values())


def clear_safe_globals() -> None:
    _SAFE.clear()


@contextlib.contextmanager
def safe_globals(safe_globals: list[Any]) -> Iterator[None]:
    """Allow these globals within the ``with`` block only."""
    before = dict(_SAFE)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _SAFE.clear()
        _SAFE.update(before)


_WEIGHTS_ONLY_FAILED = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, "
    "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In "
    "PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please "
    "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
    "{error}\n\nCheck the documentation of torch.load to learn more about types accepted by "
    "default with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


class _WeightsOnlyError(pickle.UnpicklingError):
    pass


class _TorchUnpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], weights_only: bool,
                 load_storage: Callable[[Any], Any]) -> None:
        super().__init__(file)
        self.weights_only = weights_only
        self.load_storage = load_storage
        self.allowed = _torch_globals()

    def find_class(self, module: str, name: str) -> Any:
        # protocol 2 names Python 2's modules (__builtin__.set): read them as pickle does
        import _compat_pickle

        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        if full in _SAFE:
            return _SAFE[full]
        if full in self.allowed:
            return self.allowed[full]
        if self.weights_only:
            raise _WeightsOnlyError(
                f"Unsupported global: GLOBAL {full} was not an allowed global by default. "
                f"Please use `torch.serialization.add_safe_globals([{full}])` or the "
                f"`torch.serialization.safe_globals([{full}])` context manager to allowlist "
                "this global if you trust this class/function.")
        if module == "torch" or module.startswith("torch."):
            raise pickle.UnpicklingError(
                f"adcli cannot load the torch object {full}: adcli has no equivalent of it "
                "(save a state_dict rather than a whole module or optimizer)")
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> Any:
        return self.load_storage(pid)


def _map_location(location: str, map_location: Any) -> str:
    if map_location is None:
        return location
    if isinstance(map_location, dict):
        return str(map_location.get(location, location))
    if isinstance(map_location, str) or type(map_location).__name__ == "device":
        return str(map_location)
    return location


_NO_CUDA = ("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
            "is False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU.")


def load(f: str | os.PathLike[str] | IO[bytes], map_location: Any = None,
         pickle_module: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """Load an object saved by ``torch.save`` (torch's zip format) or :func:`save`.

    ``map_location`` may name the CPU (a string, a device, a dict of locations, or a
    function ``(storage, location)``); adcli has only the CPU, so a CUDA location fails as in a
    CPU build of torch. ``weights_only`` defaults to True (torch 2.13). ``mmap`` is accepted
    and reads the file normally.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if mmap and not isinstance(f, str | os.PathLike):
        raise ValueError("f must be a file path in order to use the mmap argument")
    if isinstance(f, str | os.PathLike):
        with open(f, "rb") as fh:
            raw = fh.read()
    else:
        raw = f.read()
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise RuntimeError("adcli reads torch's zip file format (torch.save since PyTorch 1.6); "
                           "this file is not a zip archive (an older torch.save format?)")
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        names = zf.namelist()
        pkl = next((n for n in names if n.endswith("data.pkl")), None)
        if pkl is None:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
        prefix = pkl[: -len("data.pkl")]
        byteorder = "little"
        if f"{prefix}byteorder" in names:
            byteorder = zf.read(f"{prefix}byteorder").decode()
        loaded: dict[str, _LoadedStorage] = {}

        def load_storage(pid: Any) -> Any:
            typename, storage_type, key, location, _numel = pid
            if typename != "storage":
                raise pickle.UnpicklingError(f"unknown persistent id {typename!r}")
            if key not in loaded:
                d = storage_type.dtype
                d.np  # noqa: B018 - a bfloat16/complex storage: the dtype's one error
                data = np.frombuffer(bytearray(zf.read(f"{prefix}data/{key}")), dtype=d.np)
                if byteorder != sys.byteorder:
                    data = data.byteswap()
                storage = _LoadedStorage(data, location)
                if callable(map_location):
                    result = map_location(storage, location)
                    if isinstance(result, _LoadedStorage):
                        storage = result
                else:
                    target = _map_location(location, map_location)
                    if target.startswith("cuda"):
                        raise RuntimeError(_NO_CUDA)
                    check(as_device(target))
                loaded[key] = storage
            return loaded[key]

        unpickler = _TorchUnpickler(io.BytesIO(zf.read(pkl)), weights_only, load_storage)
        try:
            return unpickler.load()
        except _WeightsOnlyError as exc:
            raise pickle.UnpicklingError(_WEIGHTS_ONLY_FAILED.format(error=exc)) from None
