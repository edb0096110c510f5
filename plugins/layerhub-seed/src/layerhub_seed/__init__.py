"""The Keras saving guide's custom objects as a layerhub plugin.

Declared to layerhub in the package metadata alone (the ``layerhub.objects`` entry
points of ``pyproject.toml``): layerhub learns the names without importing anything of
this package, and imports ``layerhub_seed.objects`` (which imports keras) only when a
file references one of them. Nothing here imports layerhub.
"""
