"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``state_dict``.

Mirrors ``torch.optim.Optimizer``: the same group defaults, the same errors when adding
groups, the same ``state_dict`` layout (parameters replaced by their index) and loading rules.
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from itertools import chain
from typing import Any

from adcli.engine import creation, dtypes, ops
from adcli.engine.grad_mode import enable_grad, no_grad
from adcli.engine.tensor import Tensor
from adcli.nn.modules.module import RemovableHandle
from adcli.nn.parameter import _zero_grads, typename

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook",
           "required"]


class _RequiredParameter:
    """Singleton for a group option with no default (e.g. ``lr`` of a bare ``SGD``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _scalar_dtype() -> dtypes.dtype:
    """The dtype of the ``step`` counters: float64 when that is the default dtype, else float32."""
    d = dtypes.get_default_dtype()
    return dtypes.float64 if d == dtypes.float64 else dtypes.float32


def _to_scalar(x: Any) -> Any:
    return x.item() if isinstance(x, Tensor) else x


# Hooks of every optimizer: the global pre hooks run before each optimizer's own, the global
# post hooks after them (torch's ``profile_hook_step``).
_global_optimizer_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
_global_optimizer_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs before the ``step`` of every optimizer; it may
    return ``(new_args, new_kwargs)``."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs after the ``step`` of every optimizer."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _step_with_hooks(step: Callable[..., Any]) -> Callable[..., Any]:
    """Run the step pre/post hooks around ``step``, and the update itself under ``no_grad``."""

    @functools.wraps(step)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # as torch's, ``args`` holds the optimizer first, and a pre hook's new args must too
        self = args[0]
        for pre_hook in [*_global_optimizer_pre_hooks.values(),
                         *self._optimizer_step_pre_hooks.values()]:
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
        out = step(*args, **kwargs)
        self._opt_called = True
        for post_hook in [*self._optimizer_step_post_hooks.values(),
                          *_global_optimizer_post_hooks.values()]:
            post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True  # type: ignore[attr-defined]
    return wrapper


_STATE_DICT_HOOKS = ("_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks")


class Optimizer:
    """Base class of the optimizers; subclasses define ``step``."""

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        cls = type(self)
        if not getattr(cls.step, "hooked", False):
            # a user's subclass gets the hooks around its ``step`` too (torch patches the class)
            cls.step = _step_with_hooks(cls.step)  # type: ignore[method-assign]
        self._optimizer_step_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        for name in _STATE_DICT_HOOKS:
            setattr(self, name, OrderedDict())
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + typename(params))
        self.state: defaultdict[Tensor, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_optimizer_step_post_hooks", OrderedDict())
        for name in _STATE_DICT_HOOKS:
            self.__dict__.setdefault(name, OrderedDict())
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n" + f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before each ``step``."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after each ``step``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def _add_hook(self, where: str, hook: Callable[..., Any], prepend: bool) -> RemovableHandle:
        hooks = getattr(self, where)
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable[..., Any],
                                     prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` runs before ``state_dict`` builds the dict."""
        return self._add_hook("_optimizer_state_dict_pre_hooks", hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable[..., Any],
                                      prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs after; a dict it returns replaces the result."""
        return self._add_hook("_optimizer_state_dict_post_hooks", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any],
                                          prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs before loading; a dict it returns is loaded."""
        return self._add_hook("_optimizer_load_state_dict_pre_hooks", hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any],
                                           prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` runs after ``load_state_dict``."""
        return self._add_hook("_optimizer_load_state_dict_post_hooks", hook, prepend)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (the rest from ``defaults``)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for p in param_group["params"]:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + typename(p))
            if not self.defaults.get("differentiable", None) and not (p.is_leaf
                                                                     or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see github.com/pytorch/pytorch/"
                          "issues/40967 for more information", stacklevel=3)
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(id(p) for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every optimized tensor (to ``None`` by default)."""
        _zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        raise NotImplementedError

    def _closure_loss(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``."""
        for pre_hook in list(self._optimizer_state_dict_pre_hooks.values()):
            pre_hook(self)
        mapping: dict[int, int] = {}
        start = 0

        def pack(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            mapping.update({id(p): i for i, p in enumerate(group["params"], start)
                            if id(p) not in mapping})
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        groups = [pack(g) for g in self.param_groups]
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for post_hook in list(self._optimizer_state_dict_post_hooks.values()):
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict``: groups are matched in order, state cast to each param's dtype."""
        state_dict = state_dict.copy()
        for pre_hook in list(self._optimizer_load_state_dict_pre_hooks.values()):
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param: Tensor, value: Any, key: Any = None) -> Any:
            if isinstance(value, Tensor):
                if key == "step":
                    return value
                if param.is_floating_point() and value.dtype != param.dtype:
                    return value.to(param.dtype)
                return value
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, str):
                return type(value)(cast(param, v) for v in value)  # type: ignore[call-arg]
            return value

        state: defaultdict[Any, dict[Any, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v

        def update_group(group: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            return new

        self.__setstate__({"state": state,
                           "param_groups": [update_group(g, n)
                                            for g, n in zip(groups, saved_groups)]})
        for post_hook in list(self._optimizer_load_state_dict_post_hooks.values()):
            post_hook(self)


def _no_grad_step(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The update of ``step`` runs without recording (torch's ``_use_grad_for_differentiable``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with no_grad():
            return fn(*args, **kwargs)

    return wrapper


def _check_unsupported(foreach: Any = None, fused: Any = None, capturable: bool = False,
                       differentiable: bool = False) -> None:
    """adcli runs torch's single-tensor (``foreach=False``) CPU updates only."""
    if foreach:
        raise RuntimeError("adcli's optimizers run the single-tensor implementation; "
                           "foreach=True is not supported")
    if fused:
        raise RuntimeError("adcli's optimizers run the single-tensor implementation; "
                           "fused=True is not supported")
    if capturable:
        raise RuntimeError("capturable=True needs CUDA graphs, which adcli does not have")
    if differentiable:
        raise RuntimeError("adcli's optimizers do not support differentiable=True")


class _GroupwiseOptimizer(Optimizer):
    """An optimizer whose ``step`` updates each group with ``_update_group`` under no_grad.

    Subclasses give their update formula and what differs in their bookkeeping:
    ``_BUFFERS`` (the zero-filled state each parameter gets at its first update, after a
    ``step`` counter when ``_STEP`` is set) and ``_GROUP_DEFAULTS`` (options that older
    ``state_dict`` s may lack, filled in by ``load_state_dict`` as torch's ``__setstate__``).
    """

    _STEP = True
    _BUFFERS: tuple[str, ...] = ()
    _GROUP_DEFAULTS: dict[str, Any] = {}

    def _update_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError

    @_step_with_hooks
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in self._GROUP_DEFAULTS.items():
                group.setdefault(key, value)
        if self._STEP:
            # torch kept ``step`` as a Python number before 1.12; it is a tensor now.
            for p_state in self.state.values():
                if p_state and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = creation.tensor(float(p_state["step"]),
                                                      dtype=_scalar_dtype())

    def _init_state(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        if self._STEP:
            state["step"] = creation.tensor(0.0, dtype=_scalar_dtype())
        for name in self._BUFFERS:
            state[name] = creation.zeros_like(p)

    def _with_grads(self, group: dict[str, Any]) -> Iterator[tuple[Tensor, Tensor, dict[str, Any]]]:
        """``(param, grad, state)`` for each parameter of ``group`` that has a gradient: the
        gradient negated under ``maximize``, the state initialised at the first update, and the
        step counter (if any) already advanced."""
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                self._init_state(p, state, group)
            if self._STEP:
                ops.add_(state["step"], 1)
            yield p, (ops.neg(p.grad) if group["maximize"] else p.grad), state


def _weight_decay(p: Tensor, grad: Tensor, group: dict[str, Any], lr: float) -> Tensor:
    """L2 decay added to the gradient, or (``decoupled_weight_decay``) applied to ``p``."""
    wd = group["weight_decay"]
    if wd == 0:
        return grad
    if group.get("decoupled_weight_decay", False):
        ops.mul_(p, 1 - lr * wd)
        return grad
    return ops.add(grad, p, alpha=wd)


def _check_nonnegative(**values: Any) -> None:
    """torch's range checks, in the order given (``lr`` also as a 1-element tensor)."""
    for name, value in values.items():
        if name == "lr":
            if isinstance(value, Tensor) and value.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
            if not value >= 0.0:
                raise ValueError(f"Invalid learning rate: {value}")
        elif not value >= 0.0:
            word = "epsilon" if name == "eps" else name
            raise ValueError(f"Invalid {word} value: {value}")


def _check_betas(lr: Any, betas: tuple[float, float], eps: float, weight_decay: float) -> None:
    _check_nonnegative(lr=lr, eps=eps)
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    _check_nonnegative(weight_decay=weight_decay)
