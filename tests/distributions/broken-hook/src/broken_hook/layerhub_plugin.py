"""A plugin whose hook registers one name and then raises: nothing of it may stay."""

import layerhub


@layerhub.hookimpl
def layerhub_register(registry):
    registry.add("BrokenHook>Half", "broken_hook.layers:Half")
    raise RuntimeError("the hook blew up on purpose")
