"""The torch engine: the spec interpreter's names resolved to real PyTorch.

Public API:

- ``engine() -> TorchEngine``: the (cached) engine object the interpreter runs a spec
  against when ``--engine torch`` (or ``engine: torch``) is chosen. Importing this module
  imports torch; nothing else in adcli does until the torch engine is used.
- ``TorchEngine``: the same attributes as the interpreter's adcli engine (``Tensor``,
  ``Node``, ``Size``, ``dtype_cls``, ``creation``, ``dtypes``, ``grad_mode``, ``limits``)
  plus ``tables(vocab)``, ``numpy(t)``, ``numel(t)``, ``dtype_name(d)``,
  ``error_kind(exc)`` and ``scope()``.
- ``error_kind(exc) -> str | None``: the contract error kind of an exception torch raised,
  read from its message (torch has no error classes for these).

A spec reaches nothing more on torch than on adcli: ``tables`` maps exactly the names of
adcli's whitelist (its registry) to the torch function of the same name; a name torch lacks
fails as ``invalid_argument``; method and attribute names are still checked against adcli's
vocabulary by the interpreter. ``scope()`` installs a ``TorchFunctionMode`` that checks every
torch call's output size on meta tensors before torch allocates (adcli's element limit).

Random creation is torch's own; the spec's seed seeds both generators, and adcli draws what
torch's CPU generator draws, so one spec sees the same data on both engines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten, tree_map

from adcli.engine import creation as adcli_creation
from adcli.engine import limits
from adcli.engine.errors import AdcliError, InvalidArgumentError

_KIND_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("graph_freed", re.compile(r"backward through the graph a second time|saved tensors after "
                               r"they have already been freed")),
    ("inplace_modified", re.compile(r"modified by an inplace operation")),
    ("leaf_inplace", re.compile(r"leaf Variable that requires grad (is being|has been) used in "
                                r"an in-place")),
    ("nonscalar_backward", re.compile(r"grad can be implicitly created only for (real )?scalar "
                                      r"outputs")),
    ("no_grad_fn", re.compile(r"does not require grad and does not have a grad_fn")),
    ("shape_mismatch", re.compile(
        r"must match the size of tensor|shapes cannot be multiplied|Sizes of tensors must match"
        r"|expanded size of the tensor|Tensors must have same number of dimensions|must be the "
        r"same as input size|different to the input size|Expected size for first two dimensions"
        r"|inconsistent tensor size|does not broadcast|Expected input batch_size"
        r"|size mismatch|Mismatch in shape|shape mismatch|cannot be broadcast"
        r"|must match except in dimension|expected input\[.*\] to have \d+ channels"
        r"|to match target batch_size|must match the existing size")),
]

# Calls whose output size needs no check (attribute reads, printing, autograd plumbing).
_NO_PRECHECK = frozenset({
    "__get__", "__set__", "__repr__", "__str__", "__format__", "__bool__", "__len__",
    "__iter__", "__hash__", "__contains__", "__index__", "__int__", "__float__",
    "backward", "grad", "tolist", "item", "numpy", "size", "dim", "numel", "register_hook",
    "retain_grad", "requires_grad_", "detach", "detach_", "is_floating_point",
    "is_contiguous", "data_ptr", "storage_offset", "stride", "_version", "untyped_storage",
    "manual_seed", "is_grad_enabled", "set_grad_enabled", "get_default_dtype",
})
_CREATE = ("randn", "rand", "randint", "randn_like", "rand_like", "tensor", "zeros", "ones",
           "full", "zeros_like", "ones_like", "full_like",
           "arange", "linspace", "eye", "empty")
_ELEMENTWISE = frozenset(
    {f"__{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and",
                            "or", "xor", "eq", "ne", "lt", "le", "gt", "ge")}
    | {f"__r{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow")}
    | {f"__i{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow")}
    | {"add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
       "pow", "maximum", "minimum", "where", "atan2", "arctan2", "fmod", "remainder", "hypot",
       "logaddexp", "xlogy", "lerp", "addcmul", "addcdiv", "eq", "ne", "lt", "le", "gt", "ge",
       "logical_and", "logical_or", "clamp", "clip", "add_", "sub_", "mul_", "div_", "pow_",
       "copy_", "masked_fill", "masked_fill_", "clamp_", "isclose", "floor_divide"})
GUARD = [True]  # off while a gradient check evaluates a batch (see torch_check._unguarded)


def error_kind(exc: BaseException) -> str | None:
    """The contract kind of an exception torch raised (None: not an error torch raises)."""
    if not isinstance(exc, RuntimeError | TypeError | ValueError | IndexError | KeyError
                      | NotImplementedError):
        return None
    text = str(exc)
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(text):
            return kind
    return "invalid_argument"


class _Guard(TorchFunctionMode):
    """Checks each torch call's output size on meta tensors before torch allocates."""

    def __torch_function__(self, func: Any, types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if GUARD[0] and getattr(func, "__name__", "") not in _NO_PRECHECK:
            _precheck(func, args, kwargs)
        out = func(*args, **kwargs)
        if isinstance(out, torch.Tensor) and out.device.type != "cpu":
            # device="meta", .to("meta"), `with torch.device("meta"):` (a CUDA device fails
            # in torch itself on a CPU build): refused as on adcli's engine, whose values are
            # CPU arrays; a meta tensor has no values to report
            raise InvalidArgumentError(f"adcli runs on the CPU only: the device "
                                       f"'{out.device}' is not available")
        return out


def _to_meta(x: Any) -> Any:
    if isinstance(x, torch.Tensor):
        return torch.empty_strided(tuple(x.shape), tuple(x.stride()), dtype=x.dtype,
                                   device="meta")
    return x


def _precheck(func: Any, args: Any, kwargs: dict[str, Any]) -> None:
    """Run ``func`` on meta tensors and refuse an output over the element limit.

    Where meta cannot tell (data-dependent shapes, ops without a meta kernel) the real call
    goes ahead; its error, if any, is torch's own.
    """
    flat, _ = tree_flatten((args, kwargs))
    tensors = sum(isinstance(x, torch.Tensor) for x in flat)
    if tensors == 1 and not any(isinstance(x, int) and not isinstance(x, bool) and x >= 2
                                for x in flat):
        # One tensor and no size-like number (relu(x), x.sum(dim=1), x * 0.5): the output is
        # no larger than the input. Skipping meta here also spares torch's Python meta kernels
        # (their first use imports torch._dynamo: seconds).
        return
    if getattr(func, "__name__", "") in _ELEMENTWISE:
        # Broadcasting is the only way these grow: its shape needs no meta call (torch's
        # Python meta kernels import torch._dynamo on first use: seconds).
        shapes = [tuple(x.shape) for x in flat if isinstance(x, torch.Tensor)]
        try:
            shape = tuple(torch.broadcast_shapes(*shapes))
        except RuntimeError:
            return  # not broadcastable: the real call raises torch's error
        limits.check_shape(shape)
        return
    has_tensor = tensors > 0
    try:
        with torch.no_grad():
            if has_tensor:
                out = func(*tree_map(_to_meta, args), **tree_map(_to_meta, kwargs))
            elif kwargs.get("device") is None:  # a factory (also nn modules' device=None)
                out = func(*args, **{**kwargs, "device": "meta"})
            else:
                return
    except AdcliError:
        raise
    except Exception:
        return
    outs, _ = tree_flatten(out)
    for o in outs:
        if isinstance(o, torch.Tensor):
            limits.check_shape(tuple(o.shape))


class _Dtypes:
    """The default dtype, set and read by name or torch dtype."""

    @staticmethod
    def get_default_dtype() -> torch.dtype:
        return torch.get_default_dtype()

    @staticmethod
    def set_default_dtype(d: Any) -> None:
        torch.set_default_dtype(_dtype(d) if d is not None else torch.float64)


def _dtype(d: Any) -> Any:
    """A torch dtype for a name (``"float32"``), an adcli dtype or a torch dtype."""
    if d is None or isinstance(d, torch.dtype):
        return d
    name = str(getattr(d, "name", d)).removeprefix("torch.")
    got = getattr(torch, name, None)
    if not isinstance(got, torch.dtype):
        raise InvalidArgumentError(f"unknown dtype {name!r}")
    return got


class _GradMode:
    is_grad_enabled = staticmethod(torch.is_grad_enabled)
    set_grad_enabled = staticmethod(torch.set_grad_enabled)
    no_grad = torch.no_grad
    enable_grad = torch.enable_grad


def _requires_grad(t: torch.Tensor, flag: bool) -> torch.Tensor:
    """``t.requires_grad_(flag)``, except under vmap (a gradient check's batched replay, which
    only reads values; torch refuses requires_grad_ there)."""
    if not flag or torch._C._are_functorch_transforms_active():
        return t  # a new tensor does not require grad; torch refuses even (False) under vmap
    return t.requires_grad_(True)


class _Creation:
    """Leaf creation for the ``tensors`` section and the seeded generator."""

    @staticmethod
    def tensor(data: Any, *, dtype: Any = None, requires_grad: bool = False) -> torch.Tensor:
        if isinstance(data, np.ndarray):
            t = torch.from_numpy(np.array(data))
            t = t.to(_dtype(dtype)) if dtype is not None else t
        else:
            t = torch.tensor(data, dtype=_dtype(dtype))
        return _requires_grad(t, requires_grad)

    @staticmethod
    def manual_seed(seed: int) -> torch.Generator:
        adcli_creation.manual_seed(seed)
        return torch.manual_seed(int(seed))  # the default generator, as torch.manual_seed


def _plugin(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A registered op as a spec calls it: one recorded call for a culprit search (a
    Function's bound ``apply`` is otherwise invisible to it)."""
    def call(*args: Any, **kwargs: Any) -> Any:
        from adcli.engines.torch_check import record_plugin

        return record_plugin(fn, name, args, kwargs)

    call.__name__ = name
    return call


def _creator(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A torch creation function whose ``requires_grad=True`` also works in a batched replay."""
    def create(*args: Any, requires_grad: bool = False, **kwargs: Any) -> torch.Tensor:
        return _requires_grad(fn(*args, **kwargs), requires_grad)

    create.__name__ = getattr(fn, "__name__", "create")
    return create


def _seed(seed: int) -> torch.Generator:
    return _Creation.manual_seed(seed)


class _Missing(dict):  # type: ignore[type-arg]
    """A table that names the engine when a whitelisted name has no torch counterpart."""

    def __missing__(self, key: str) -> Any:
        raise InvalidArgumentError(f"'{key}' is not available on the torch engine")


class TorchEngine:
    """What the interpreter needs of an engine, backed by real PyTorch."""

    name = "torch"

    def __init__(self) -> None:
        self.torch = torch
        self.Tensor = torch.Tensor
        self.Size = torch.Size
        self.Node = torch.autograd.graph.Node
        self.AdcliError = AdcliError
        self.dtype_cls = torch.dtype
        self.dtypes = _Dtypes()
        self.grad_mode = _GradMode()
        self.limits = limits
        self.creation = _Creation()
        self.object_types = _object_types()
        self._tables: dict[int, tuple[Any, dict[str, Mapping[str, Any]]]] = {}

    # -- the whitelist, mapped ---------------------------------------------------------------
    def tables(self, vocab: Any) -> dict[str, Mapping[str, Any]]:
        """torch/functional/autograd tables with the same keys as ``vocab``'s."""
        hit = self._tables.get(id(vocab))
        if hit is not None and hit[0] is vocab and not _plugins_changed(hit[1]):
            return hit[1]
        import torch.nn.functional as F

        from adcli.engine.registry import PLUGIN_OPS

        out: dict[str, Mapping[str, Any]] = {}
        out["torch"] = _map(vocab.torch, torch, PLUGIN_OPS)
        out["functional"] = _map(vocab.functional, F, {})
        out["autograd"] = _map(vocab.autograd, torch.autograd, {})
        out["_plugins"] = dict(PLUGIN_OPS)
        self._tables[id(vocab)] = (vocab, out)
        return out

    # -- values ------------------------------------------------------------------------------
    @staticmethod
    def numpy(t: torch.Tensor) -> np.ndarray:
        t = t.detach()
        if t.dtype in (torch.bfloat16, torch.float16):
            t = t.to(torch.float32)
        return t.cpu().resolve_conj().resolve_neg().numpy()

    @staticmethod
    def numel(t: torch.Tensor) -> int:
        return int(t.numel())

    @staticmethod
    def dtype_name(d: Any) -> str:
        return str(getattr(d, "name", None) or d).removeprefix("torch.")

    @staticmethod
    def error_kind(exc: BaseException) -> str | None:
        return error_kind(exc)

    @staticmethod
    def engine_bug(exc: BaseException) -> bool:
        return False  # torch's errors are read by error_kind

    @contextmanager
    def scope(self) -> Iterator[None]:
        """While a spec runs: every torch call is size-checked before it allocates."""
        with _Guard():
            yield

    # -- torch.nn / torch.optim ----------------------------------------------------------------
    @staticmethod
    def object_roots(vocab: Any) -> tuple[str, ...]:
        """The torch namespaces whose objects a spec may use (``torch.nn``, ``torch.optim``,
        ...): the same namespaces adcli's whitelist serves (``Vocabulary.packages``)."""
        return tuple(sorted(vocab.packages))

    @staticmethod
    def package(qual: str, obj: Any) -> Any:
        """The torch class or function named ``qual`` (``torch.nn.Linear``) for the adcli
        object the whitelist resolved it to: the spec reaches no name adcli does not have."""
        got: Any = torch
        for part in qual.split(".")[1:]:
            got = getattr(got, part, None)
            if got is None:
                break
        if got is None or isinstance(got, type(torch)) or not callable(got):
            raise InvalidArgumentError(f"'{qual}' is not available on the torch engine")
        return got


def _object_types() -> dict[type, type]:
    """torch's classes whose objects a spec holds like package objects, each with the adcli
    class it mirrors: they live in ``torch._C`` (``torch.Generator().manual_seed(1)``,
    ``torch.device("cpu").type``), outside the namespaces of ``object_roots``; a spec uses
    only the members the adcli class has too."""
    from adcli.engine.device import device
    from adcli.engine.rng.generator import Generator

    return {torch.Generator: Generator, torch.device: device}


def _plugins_changed(tables: dict[str, Mapping[str, Any]]) -> bool:
    from adcli.engine.registry import PLUGIN_OPS

    return tables.get("_plugins") != PLUGIN_OPS


def _map(table: Mapping[str, Any], namespace: Any, plugins: Mapping[str, Any]) -> _Missing:
    """``table``'s names bound to ``namespace``'s objects of the same name.

    Only callables and dtypes are mapped: a namespace-like value (a module) would let a spec
    reach everything below it.
    """
    from adcli.engine.dtypes import dtype as adcli_dtype
    from adcli.engine.rng.generator import Generator as AdcliGenerator

    out = _Missing()
    for name, value in table.items():
        if name.startswith("_"):
            continue
        if name in plugins and plugins[name] is value:
            out[name] = _plugin(name, value)  # the user's callable on torch tensors
        elif isinstance(value, adcli_dtype):
            got = getattr(namespace, name, None)
            if isinstance(got, torch.dtype):
                out[name] = got
        elif name == "manual_seed" and namespace is torch:
            out[name] = _seed
        elif isinstance(value, AdcliGenerator) and \
                isinstance(getattr(namespace, name, None), torch.Generator):
            out[name] = getattr(namespace, name)  # torch.default_generator: torch's own
        elif name in _CREATE and namespace is torch:
            out[name] = _creator(getattr(torch, name))
        elif callable(value):
            got = getattr(namespace, name, None)
            if callable(got) and not isinstance(got, type(torch)):
                out[name] = got
    return out


_ENGINE: list[TorchEngine] = []


def engine() -> TorchEngine:
    """The torch engine (created once)."""
    if not _ENGINE:
        _ENGINE.append(TorchEngine())
    return _ENGINE[0]
