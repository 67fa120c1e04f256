"""``torch.distributions.categorical``: torch's module path
(the class lives in ``simple.py``)."""

from .simple import Categorical

__all__ = ["Categorical"]
