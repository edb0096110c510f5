"""A well-formed layerhub plugin: multi-input, integer-input and stateful layers, and more."""
