"""The registry's rules, in process: lazy targets, conflicts, shadowing, bad arguments."""

from __future__ import annotations

import sys
import warnings

import pytest

from layerhub import PluginError, PluginWarning
from layerhub.plugins.discovery import discover
from layerhub.plugins.registrar import PluginRegistrar
from layerhub.plugins.registry import Provider, Registry

A = Provider("dist-a", "1.0", "a")
B = Provider("Dist_B", "2.0", "b")


def entries_from(provider, *names, target="json:dumps"):
    registrar = PluginRegistrar(provider)
    for name in names:
        registrar.add(name, target)
    return registrar.entries


def test_targets_are_imported_only_when_resolved():
    registrar = PluginRegistrar(A)
    registrar.add("Test>Sched", "sched:scheduler")
    registry = Registry(registrar.entries)
    sys.modules.pop("sched", None)
    assert "sched" not in sys.modules
    objects, failures = registry.resolve(["Test>Sched", "Not>Registered"])
    import sched

    assert objects == {"Test>Sched": sched.scheduler} and failures == {}


def test_a_missing_target_is_a_failure_naming_the_provider():
    registry = Registry(entries_from(A, "Test>Gone", target="no_such_module_xyz:Thing"))
    objects, failures = registry.resolve(["Test>Gone"])
    assert objects == {}
    assert "dist-a==1.0" in failures["Test>Gone"] and "no_such_module_xyz" in failures["Test>Gone"]
    with pytest.raises(PluginError):
        registry.get("Test>Gone").load()


def test_conflicts_resolve_alphabetically_unless_preferred():
    entries = entries_from(B, "X>Y") + entries_from(A, "X>Y")
    registry = Registry(entries)
    assert registry.get("X>Y").provider == A
    assert registry.conflicts[0].others == (B,)
    preferred = Registry(entries, prefer=["dist-b"])  # normalised: Dist_B == dist-b
    assert preferred.get("X>Y").provider == B


@pytest.mark.parametrize("name", ["Dense", "relu", "keras>Anything", "keras.layers>Dense"])
def test_builtin_names_are_refused(name):
    registrar = PluginRegistrar(A)
    with pytest.warns(PluginWarning, match="shadow a Keras built-in"):
        registrar.add(name, "json:dumps")
    assert registrar.entries == []


@pytest.mark.parametrize(
    ("name", "target", "error"),
    [
        ("", "json:dumps", TypeError),
        (3, "json:dumps", TypeError),
        ("A>B", "json.dumps", ValueError),
        ("A>B", ":dumps", ValueError),
        ("A>B", 42, TypeError),
    ],
)
def test_bad_arguments_raise(name, target, error):
    with pytest.raises(error):
        PluginRegistrar(A).add(name, target)


def test_in_process_plugins_and_hook_failures():
    class Good:
        @staticmethod
        def layerhub_register(registry):
            registry.add("Good>Thing", "json:loads")

    from layerhub import hookimpl

    Good.layerhub_register = hookimpl(Good.layerhub_register)

    class Bad:
        @staticmethod
        @hookimpl
        def layerhub_register(registry):
            registry.add("Bad>Thing", "json:loads")
            raise ValueError("nope")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = discover([(A, Good), (B, Bad)])
    assert "Good>Thing" in result.registry and "Bad>Thing" not in result.registry
    statuses = {p.provider.distribution: p.status for p in result.plugins}
    assert statuses["dist-a"] == "ok" and statuses["Dist_B"] == "failed"
    assert any("Dist_B==2.0" in str(w.message) and "nope" in str(w.message) for w in caught)
    with pytest.raises(PluginError, match="nope"):
        discover([(B, Bad)], strict=True)


def test_hook_options_order_and_wrap_a_plugins_own_implementations():
    """Hooks run through pluggy: tryfirst/trylast order a plugin's implementations and
    its wrapper wraps them, while another plugin's hook runs outside that wrapper."""
    from layerhub import hookimpl

    calls: list[str] = []

    class Options:
        @staticmethod
        @hookimpl(specname="layerhub_register", trylast=True)
        def late(registry):
            calls.append("late")
            registry.add("Opt>Late", "json:loads")

        @staticmethod
        @hookimpl(specname="layerhub_register", tryfirst=True)
        def early(registry):
            calls.append("early")
            registry.add("Opt>Early", "json:loads")

        @staticmethod
        @hookimpl(wrapper=True)
        def layerhub_register(registry):
            calls.append("wrapper before")
            result = yield
            calls.append("wrapper after")
            registry.add("Opt>Wrapped", "json:dumps")
            return result

    class Other:
        @staticmethod
        @hookimpl
        def layerhub_register(registry):
            calls.append("other")
            registry.add("Other>Thing", "json:loads")

    result = discover([(A, Options), (B, Other)])
    assert calls == ["wrapper before", "early", "late", "wrapper after", "other"]
    info = {p.provider.distribution: p for p in result.plugins}
    assert info["dist-a"].status == "ok"
    assert info["dist-a"].names == ("Opt>Early", "Opt>Late", "Opt>Wrapped")
    assert result.registry.get("Other>Thing").provider == B
