"""Keras's own saving tests (shipped in its wheel), alone or with every load they make
routed through layerhub: timed in this process, from before ``import keras``.

    python benchmarks/children/keras_saving_tests.py keras|routed [PYTEST ARGS...]

``routed``: ``layerhub.activate()`` routes the public ``keras.saving.load_model`` (and
``keras.models.load_model``), and :class:`Routing` the test modules' own
``saving_lib.load_model`` and ``saving_api.load_model`` calls on a path (a file object
stays Keras's). Keras's own code, which calls the same functions from inside, is left
alone. Prints the seconds (wall and CPU), the number of
loads routed, each outcome's count and the failed tests, so that the caller can compare
how both runs end.
"""

import collections
import json
import os
import sys
import time
import types

start, cpu_start = time.perf_counter(), time.process_time()
mode, args = sys.argv[1], sys.argv[2:]
routed = 0


def router(keras_load, layerhub_load):
    """``keras_load`` with every call on a path sent to ``layerhub_load`` instead."""

    def load_model(filepath, custom_objects=None, compile=True, safe_mode=True, **kwargs):
        global routed
        if kwargs or not isinstance(filepath, (str, os.PathLike)):
            return keras_load(filepath, custom_objects, compile, safe_mode, **kwargs)
        routed += 1
        return layerhub_load(filepath, custom_objects, compile, safe_mode)

    return load_model


def counted(load):
    def load_model(*args, **kwargs):
        global routed
        routed += 1
        return load(*args, **kwargs)

    return load_model


class View(types.ModuleType):
    """A module whose ``load_model`` is its own and everything else ``module``'s: reads,
    writes and deletions (as ``mock.patch.object`` makes) go to ``module`` itself."""

    def __init__(self, module, load_model):
        super().__init__(module.__name__)
        vars(self)["_module"] = module
        vars(self)["load_model"] = load_model

    def __getattr__(self, name):
        return getattr(vars(self)["_module"], name)

    def __setattr__(self, name, value):
        setattr(vars(self)["_module"], name, value)

    def __delattr__(self, name):
        delattr(vars(self)["_module"], name)


class Routing:
    """Each collected test module's ``saving_lib`` and ``saving_api`` become views of
    them whose ``load_model`` is ``layerhub_load`` for a path."""

    def __init__(self, layerhub_load):
        self.layerhub_load = layerhub_load

    def pytest_collection_finish(self, session):
        from keras.src.saving import saving_api, saving_lib

        load = self.layerhub_load
        views = {id(m): View(m, router(m.load_model, load)) for m in (saving_lib, saving_api)}
        for module in {item.module for item in session.items if hasattr(item, "module")}:
            for name, value in list(vars(module).items()):
                if id(value) in views:
                    setattr(module, name, views[id(value)])


class Outcomes:
    def __init__(self):
        self.counts = collections.Counter()
        self.failed = []

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            self.counts[report.outcome] += 1
        if report.outcome == "failed":
            self.failed.append(report.nodeid)


plugins = [outcomes := Outcomes()]
if mode == "routed":
    import layerhub
    import layerhub.kerasio.loading as loading

    layerhub_load = loading.load_model
    loading.load_model = counted(layerhub_load)  # what activate() routes Keras's API to
    layerhub.activate()
    plugins.append(Routing(layerhub_load))

import pytest  # noqa: E402

code = pytest.main(["-q", "-p", "no:cacheprovider", *args], plugins=plugins)
print(
    json.dumps(
        {
            "s": time.perf_counter() - start,
            "cpu": time.process_time() - cpu_start,
            "routed": routed,
            "outcomes": dict(outcomes.counts),
            "failed": outcomes.failed,
            "exit": int(code),
        }
    )
)
