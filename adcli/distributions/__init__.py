"""``torch.distributions`` for adcli: the distributions, ``transforms`` with
``TransformedDistribution`` and ``Independent``, ``constraints`` with ``biject_to`` /
``transform_to``, and ``kl_divergence``; the gamma family
(Gamma, Chi2, Beta, Dirichlet, StudentT, FisherSnedecor), the counting distributions (Poisson,
Binomial, Multinomial, NegativeBinomial, Geometric) and Exponential, Laplace, Cauchy.

As torch's: ``sample``/``rsample`` draw the same numbers under the same seed (through adcli's
torch-identical generator, with the same calls torch makes), ``log_prob``, ``entropy``, ``cdf``,
``icdf``, ``mean``/``mode``/``stddev``/``variance``, ``batch_shape``/``event_shape``,
``expand``, the reprs, and the validation errors (``validate_args`` defaults to True, as
torch's does).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from . import constraint_registry, constraints, kl, transforms
from . import kl_families as _kl_families  # noqa: F401  (registers the KL rules)
from . import kl_more as _kl_more  # noqa: F401 - registers its KL pairs
from .constraint_registry import biject_to, transform_to
from .continuous import Cauchy, Exponential, Laplace
from .continuous_bernoulli import ContinuousBernoulli
from .discrete import Binomial, Geometric, Multinomial, NegativeBinomial, Poisson
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Beta, Chi2, Dirichlet, FisherSnedecor, Gamma, StudentT
from .generalized_pareto import GeneralizedPareto
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .independent import Independent
from .inverse_gamma import InverseGamma
from .kl import kl_divergence, register_kl
from .kumaraswamy import Kumaraswamy
from .lkj_cholesky import LKJCholesky
from .log_normal import LogNormal
from .logistic_normal import LogisticNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .relaxed_bernoulli import RelaxedBernoulli
from .relaxed_categorical import RelaxedOneHotCategorical
from .simple import Bernoulli, Categorical, MultivariateNormal, Normal, Uniform
from .transformed_distribution import TransformedDistribution
from .transforms import (
    AbsTransform,
    AffineTransform,
    CatTransform,
    ComposeTransform,
    CorrCholeskyTransform,
    CumulativeDistributionTransform,
    ExpTransform,
    IndependentTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    PowerTransform,
    ReshapeTransform,
    SigmoidTransform,
    SoftmaxTransform,
    SoftplusTransform,
    StackTransform,
    StickBreakingTransform,
    TanhTransform,
    Transform,
    identity_transform,
)
from .von_mises import VonMises
from .weibull_pareto import HalfCauchy, Pareto, Weibull  # also registers Pareto's KL pairs
from .wishart import Wishart

__all__ = [
    "ContinuousBernoulli", "Gumbel", "HalfNormal", "Kumaraswamy", "LogNormal", "LogisticNormal",
    "LowRankMultivariateNormal", "MixtureSameFamily", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "RelaxedBernoulli", "RelaxedOneHotCategorical",
    "Bernoulli", "Categorical", "Distribution", "ExponentialFamily", "Independent",
    "MultivariateNormal", "Normal", "TransformedDistribution", "Uniform", "biject_to",
    "constraints", "kl_divergence", "register_kl", "transform_to", "transforms",
    "AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform",
    "CorrCholeskyTransform", "CumulativeDistributionTransform", "ExpTransform",
    "IndependentTransform", "LowerCholeskyTransform", "PositiveDefiniteTransform",
    "PowerTransform", "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform",
    "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform",
    "Transform", "identity_transform",
]
__all__ += ["Beta", "Binomial", "Cauchy", "Chi2", "Dirichlet", "Exponential", "FisherSnedecor",
            "Gamma", "GeneralizedPareto", "Geometric", "InverseGamma", "Laplace", "Multinomial",
            "NegativeBinomial", "Poisson", "StudentT"]
__all__ += ["HalfCauchy", "Pareto", "Weibull"]
__all__ += ["LKJCholesky", "VonMises", "Wishart"]

# The rules as built, for adcli.spec.registries to put back after a spec that added to them.
_BUILT_IN_REGISTRIES = [dict(kl._KL_REGISTRY), dict(constraint_registry.biject_to._registry),
                        dict(constraint_registry.transform_to._registry)]

# torch's submodules by their torch names (torch.distributions.normal, .studentT, ...): imported
# on first attribute access, as ``import adcli.distributions.normal`` would.
_SUBMODULES = frozenset({
    "bernoulli", "beta", "binomial", "categorical", "cauchy", "chi2", "constraint_registry",
    "constraints", "continuous_bernoulli", "dirichlet", "distribution", "exp_family",
    "exponential", "fishersnedecor", "gamma", "generalized_pareto", "geometric", "gumbel",
    "half_cauchy", "half_normal", "independent", "inverse_gamma", "kl", "kumaraswamy", "laplace",
    "lkj_cholesky", "log_normal", "logistic_normal", "lowrank_multivariate_normal",
    "mixture_same_family", "multinomial", "multivariate_normal", "negative_binomial", "normal",
    "one_hot_categorical", "pareto", "poisson", "relaxed_bernoulli", "relaxed_categorical",
    "studentT", "transformed_distribution", "transforms", "uniform", "utils", "von_mises",
    "weibull", "wishart"})


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
