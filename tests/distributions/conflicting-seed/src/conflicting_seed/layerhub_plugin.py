"""Claims a name layerhub-seed provides, to exercise conflict resolution."""

import layerhub


@layerhub.hookimpl
def layerhub_register(registry):
    registry.add("MyLayers>CustomLayer", "conflicting_seed.layers:OtherCustomLayer")
    registry.add("Dense", "conflicting_seed.layers:OtherCustomLayer")  # shadows a built-in
    registry.add("keras>Dense", "conflicting_seed.layers:OtherCustomLayer")  # so does this
