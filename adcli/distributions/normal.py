"""``torch.distributions.normal``: torch's module path
(the class lives in ``simple.py``)."""

from .simple import Normal

__all__ = ["Normal"]
