"""``torch.distributions.multivariate_normal``: torch's module path
(the class lives in ``simple.py``)."""

from .simple import MultivariateNormal, _batch_mahalanobis, _precision_to_scale_tril  # noqa: F401

__all__ = ["MultivariateNormal"]
