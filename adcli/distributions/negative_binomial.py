"""``torch.distributions.negative_binomial``: torch's module path
(the class lives in ``discrete.py``)."""

from .discrete import NegativeBinomial

__all__ = ["NegativeBinomial"]
