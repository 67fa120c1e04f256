"""torch's CPU random numbers, bit for bit: the generator (``generator.py``: mt19937 and
torch's seeding and state), the transforms from its words to values (``distributions.py``),
and the random functions and in-place methods built on them (``ops.py``).

This package imports none of its modules itself: the core (``creation``) needs only the
generator, and must not load the op machinery that ``ops.py`` uses.
"""
