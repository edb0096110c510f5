"""A plugin whose module fails to import: layerhub must skip it and keep the others."""

import this_module_does_not_exist  # noqa: F401
