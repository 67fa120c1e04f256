"""``torch.distributions`` basics for adcli: Normal, Bernoulli, Categorical, Uniform and
MultivariateNormal, and ``kl_divergence`` for Normal-Normal.

As torch's: ``sample``/``rsample`` draw the same numbers under the same seed (through adcli's
torch-identical generator, with the same calls torch makes), ``log_prob``, ``entropy``, ``cdf``,
``icdf``, ``mean``/``mode``/``stddev``/``variance``, ``batch_shape``/``event_shape``, the
reprs, and the validation errors (``validate_args`` defaults to True, as torch's does).
"""

from __future__ import annotations

from . import constraints
from .distribution import Distribution
from .kl import kl_divergence, register_kl
from .simple import Bernoulli, Categorical, MultivariateNormal, Normal, Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "MultivariateNormal", "Normal", "Uniform",
           "constraints", "kl_divergence", "register_kl"]
