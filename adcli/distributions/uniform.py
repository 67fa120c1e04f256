"""``torch.distributions.uniform``: torch's module path
(the class lives in ``simple.py``)."""

from .simple import Uniform

__all__ = ["Uniform"]
