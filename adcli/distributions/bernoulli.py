"""``torch.distributions.bernoulli``: torch's module path
(the class lives in ``simple.py``)."""

from .simple import Bernoulli

__all__ = ["Bernoulli"]
