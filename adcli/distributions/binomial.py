"""``torch.distributions.binomial``: torch's module path
(the class lives in ``discrete.py``)."""

from .discrete import Binomial

__all__ = ["Binomial"]
