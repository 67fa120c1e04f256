"""``torch.distributions.ExponentialFamily``: the base of the distributions whose density is
``exp(<t(x), theta> - F(theta) + k(x))``; its ``entropy`` is torch's Bregman-divergence one
(autograd of the log normalizer, with ``create_graph`` so the result stays differentiable)."""

from __future__ import annotations

from typing import Any

from ..engine.tensor import Tensor
from .distribution import Distribution


class ExponentialFamily(Distribution):
    """An exponential-family distribution: subclasses give ``_natural_params``,
    ``_log_normalizer`` and ``_mean_carrier_measure``."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Any) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> Any:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """``-E[k(x)] + F(theta) - <theta, grad F(theta)>`` (a Bregman divergence)."""
        from ..autograd import grad

        result: Any = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = grad(lg_normal.sum(), nparams, create_graph=True)
        result += lg_normal
        for nat, g in zip(nparams, gradients):
            result -= (nat * g).reshape((*self._batch_shape, -1)).sum(-1)
        return result
