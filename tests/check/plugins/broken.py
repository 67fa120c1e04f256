"""A plugin that fails to import (line 6)."""

import adcli

adcli.register_op("fine", lambda x: x)
raise RuntimeError("this plugin is broken on purpose")
