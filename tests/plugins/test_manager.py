"""Discovery's plugin manager finds exactly the hooks pluggy's own finds, in every kind of
attribute a plugin module may hold, and registers them the same way."""

from __future__ import annotations

import sys
import types

import pluggy
import pytest

import layerhub
from layerhub.plugins import hookspecs
from layerhub.plugins.manager import PluginManager

PLUGIN = """
import functools
import json
import layerhub
from json import dumps as imported_function

@layerhub.hookimpl
def layerhub_register(registry):
    registry.add("Demo>A", "demo.objects:A")

@layerhub.hookimpl(specname="layerhub_register", tryfirst=True)
def renamed(registry):
    registry.add("Demo>B", "demo.objects:B")

def helper():
    pass

class Holder:
    @layerhub.hookimpl
    def layerhub_register(self, registry):
        pass

    @staticmethod
    @layerhub.hookimpl
    def static(registry):
        pass

    @classmethod
    @layerhub.hookimpl
    def klass(cls, registry):
        pass

class CallableWithMarker:
    layerhub_impl = {"tryfirst": True}
    def __call__(self, registry):
        pass

static_alias = Holder.__dict__["static"]
class_alias = Holder.__dict__["klass"]
bound = Holder().layerhub_register
partial = functools.partial(helper)
lam = layerhub.hookimpl(lambda registry: None)
callable_instance = CallableWithMarker()
marker_dict = {"layerhub_impl": {}}
number = 3
__annotations__ = {"number": int}
"""


# Functions under names the module type also defines: the instance's dict wins over
# ``__init__`` and ``__repr__`` (plain methods), the type wins for ``__class__``.
DUNDERS = """
import layerhub

@layerhub.hookimpl
def __init__(registry):
    pass

@layerhub.hookimpl
def __repr__(registry):
    pass

@layerhub.hookimpl
def __class__(registry):
    pass
"""


def make_module(name: str, source: str = PLUGIN) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def pluggys() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    return pm


class LazyModule(types.ModuleType):
    """A module subclass (as lazy-import libraries make): pluggy's own lookup applies."""

    def __getattr__(self, name: str) -> object:
        if name == "late":
            return make_module("late").layerhub_register
        raise AttributeError(name)


@pytest.mark.parametrize(
    "plugin",
    [
        make_module("demo_plugin"),
        make_module("dunders", DUNDERS),
        hookspecs,
        sys.modules["layerhub"],
        make_module("demo_plugin").Holder,
        make_module("demo_plugin").Holder(),
        LazyModule("lazy"),
    ],
    ids=[
        "plugin module",
        "dunder functions",
        "hookspecs",
        "layerhub",
        "class",
        "instance",
        "module subclass",
    ],
)
def test_every_attribute_gets_pluggys_answer(plugin: object) -> None:
    ours, theirs = PluginManager(), pluggys()
    names = [*dir(plugin), "absent", "late", "__dict__", "__class__", "__doc__"]
    answers = {name: ours.parse_hookimpl_opts(plugin, name) for name in names}
    assert answers == {name: theirs.parse_hookimpl_opts(plugin, name) for name in names}
    found = {name for name, opts in answers.items() if opts is not None}
    if getattr(plugin, "__name__", "") == "dunders":
        assert found == {"__init__", "__repr__"}
    if getattr(plugin, "__name__", "") == "demo_plugin":
        assert found == {
            "layerhub_register",
            "renamed",
            "static_alias",
            "class_alias",
            "bound",
            "lam",
        }


def test_registering_a_module_gives_the_same_hook_implementations() -> None:
    plugin = make_module("demo_plugin")
    implementations = []
    for pm in (PluginManager(), pluggys()):
        pm.register(plugin, name="demo")
        implementations.append(
            sorted(
                (hook.name, impl.function.__qualname__, sorted(impl.opts.items()))
                for hook in pm.get_hookcallers(plugin) or ()
                for impl in hook.get_hookimpls()
            )
        )
        pm.unregister(plugin)
    assert implementations[0] == implementations[1]
    assert len(implementations[0]) == 6  # the functions, methods and the lambda above


def test_a_module_whose_hook_breaks_the_spec_fails_as_with_pluggy() -> None:
    plugin = types.ModuleType("bad_plugin")
    exec(
        "import layerhub\n@layerhub.hookimpl\ndef layerhub_register(reg):\n    pass\n",
        plugin.__dict__,
    )
    messages = []
    for pm in (PluginManager(), pluggys()):
        with pytest.raises(pluggy.PluginValidationError) as caught:
            pm.register(plugin, name="bad")
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "reg" in messages[0]
    assert layerhub.hookimpl is hookspecs.hookimpl
