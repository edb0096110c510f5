"""The hook: registers a name the declaration also has (differently) and one of its own."""

import layerhub


@layerhub.hookimpl
def layerhub_register(registry):
    registry.add("Dual>Gate", "dual_blocks.layers:OldGate")
    registry.add("Dual>Extra", "dual_blocks.layers:Extra", aliases=["Dual>Bonus"])
