"""A layerhub plugin providing a KerasHub ``Backbone`` subclass (for ``from_preset`` tests)."""
