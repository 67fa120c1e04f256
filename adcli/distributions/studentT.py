# ruff: noqa: N999  (torch names it so)
"""``torch.distributions.studentT``: torch's module path
(the class lives in ``gamma.py``)."""

from .gamma import StudentT

__all__ = ["StudentT"]
