"""Imports every command module so that each registers its commands on the app."""

from . import cmd_diff, cmd_gradcheck, cmd_graph, cmd_misc, cmd_run  # noqa: F401
