"""``torch.distributions.Distribution``: shapes, argument and sample validation with torch's
messages, and the sample/rsample split."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.grad_mode import no_grad
from ..engine.tensor import Size, Tensor
from . import constraints


class Distribution:
    """The base of the distributions (``torch.distributions.Distribution``)."""

    has_rsample = False
    has_enumerate_support = False
    _validate_args = True  # torch's default (__debug__)
    arg_constraints: dict[str, constraints.Constraint] = {}
    support: Any = None

    def __init__(self, batch_shape: Any = (), event_shape: Any = (),
                 validate_args: bool | None = None) -> None:
        self._batch_shape = Size(tuple(batch_shape))
        self._event_shape = Size(tuple(event_shape))
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and (
                        getattr(type(self), param, None) is None
                        or (not isinstance(getattr(type(self), param), property)
                        and hasattr(getattr(type(self), param), "fn"))):
                    continue  # a lazily computed parameter (probs from logits, ...)
                value = getattr(self, param)
                self._must_hold(constraint, value, f"parameter {param}",
                                lambda c=constraint: f"of distribution {self!r} to satisfy "
                                                     f"the constraint {c!r}")

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = bool(value)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """A new distribution with its batch dims expanded to ``batch_shape``."""
        raise NotImplementedError

    def _get_checked_instance(self, cls: type, _instance: Any = None) -> Any:
        """The bare instance ``expand`` fills in (a subclass with its own ``__init__`` must
        define its own ``expand``, as torch says)."""
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                "__init__ method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    def _expand_params(self, cls: type, batch_shape: Any, _instance: Any,
                       names: tuple[str, ...] = (), param_shape: tuple[int, ...] = (),
                       keep_param: bool = False) -> Any:
        """torch's ``expand`` of a distribution whose parameters are batch-shaped: a bare
        instance (``_get_checked_instance``) with each of ``names`` that ``self`` holds (a
        lazily computed probs/logits only once computed) expanded to ``batch_shape +
        param_shape``; ``keep_param`` also sets ``_param`` (the logits when given, as torch's
        probs-then-logits order leaves it). The caller sets anything else, then calls
        :meth:`_finish_expand`."""
        new = self._get_checked_instance(cls, _instance)
        shape = Size((*batch_shape, *param_shape))
        for name in names:
            if name in self.__dict__ or not hasattr(type(self), name):
                setattr(new, name, getattr(self, name).expand(shape))
        if keep_param:
            new._param = new.logits if "logits" in self.__dict__ else new.probs
        return new

    def _finish_expand(self, new: Any, batch_shape: Any, event_shape: Any = None) -> Any:
        """The end of every ``expand``: ``new``'s shapes set without validating again (its
        parameters are views of already valid ones), and ``self``'s validation flag."""
        Distribution.__init__(new, Size(tuple(batch_shape)),
                              self._event_shape if event_shape is None else event_shape,
                              validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError

    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def enumerate_support(self, expand: bool = True) -> Tensor:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        raise NotImplementedError

    def sample_n(self, n: int) -> Tensor:
        return self.sample((n,))

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def _validate_sample(self, value: Any) -> None:
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = len(value.shape) - len(self._event_shape)
        if tuple(value.shape[event_dim_start:]) != tuple(self._event_shape):
            raise ValueError(
                f"The right-most size of value must match event_shape: {value.size()} vs "
                f"{self._event_shape}.")
        actual_shape = tuple(value.shape)
        expected_shape = tuple(self._batch_shape) + tuple(self._event_shape)
        for i, j in zip(reversed(actual_shape), reversed(expected_shape)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    f"Value is not broadcastable with batch_shape+event_shape: "
                    f"{Size(actual_shape)} vs {Size(expected_shape)}.")
        support = self.support
        if support is None or constraints.is_dependent(support):
            return
        self._must_hold(support, value, "value argument",
                        lambda: f"to be within the support ({support!r}) of the distribution "
                                f"{self!r}")

    @staticmethod
    def _must_hold(constraint: Any, value: Tensor, what: str,
                   wanted: Callable[[], str]) -> None:
        """torch's ValueError for a parameter or a value that breaks its constraint:
        ``Expected {what} (Tensor of shape ...) {wanted()}, but found invalid values`` (the
        text, with the distribution's repr, is made only then)."""
        if bool(np.all(constraint.check(value)._data)):
            return
        raise ValueError(f"Expected {what} ({type(value).__name__} of shape "
                         f"{tuple(value.shape)}) {wanted()}, but found invalid values:\n{value}")

    def __repr__(self) -> str:
        names = [k for k in self.arg_constraints if k in self.__dict__]
        parts = []
        for p in names:
            v = self.__dict__[p]
            parts.append(f"{p}: {v if v.numel() == 1 else v.size()}")
        return f"{type(self).__name__}({', '.join(parts)})"


class _ExpandAsParent:
    """``expand`` for a subclass that only fixes its parent's arguments (HalfNormal of a
    TransformedDistribution, Chi2 of Gamma): the parent's expand into a checked instance of
    the subclass, as each torch class writes out by hand."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner = owner

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        owner = self.owner

        def expand(batch_shape: Any, _instance: Any = None) -> Any:
            new = obj._get_checked_instance(owner, _instance)
            return super(owner, obj).expand(batch_shape, _instance=new)

        expand.__doc__ = Distribution.expand.__doc__
        return expand
