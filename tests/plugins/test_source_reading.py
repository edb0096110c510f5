"""Kind and summary of a statically declared object, read from its source
(:mod:`layerhub.plugins.source_reading`): what ``layerhub show`` reports without
importing anything of the distribution."""

from __future__ import annotations

import sys
import textwrap

import pytest

from layerhub.plugins.source_reading import kind_of_path, read_description

PACKAGE = {
    "__init__.py": "from .layers import Plain as Exported\n\nraise RuntimeError('imported')\n",
    "base.py": """
        import keras as K

        class Base(K.losses.Loss):
            pass
    """,
    "layers.py": '''
        import keras
        from keras import layers
        from keras.layers import Layer as L
        from keras.src.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
        from . import base
        from .base import Base

        class Plain(keras.layers.Layer):
            """A plain layer.

            More words.
            """

        class Aliased(L):
            """Through an alias."""

        class Module(layers.Dense):
            pass

        class Local(Plain):
            """Derives from a class of the same module."""

        class Relative(Base):
            """Derives from a class of another module of the package."""

        class Qualified(base.Base):
            pass

        class Private(LearningRateSchedule):
            pass

        class Model(keras.Model):
            pass

        class Unknown(make_base()):
            """Built at run time."""

        class Mixin:
            pass

        def activation(x):
            """Squares."""
            return x * x
    ''',
}


@pytest.fixture
def package(tmp_path, monkeypatch):
    root = tmp_path / "acme_src"
    for name, text in PACKAGE.items():
        path = root / "acme_static" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(root))
    yield "acme_static.layers"
    assert not any(m.startswith("acme_static") for m in sys.modules)  # nothing imported


@pytest.mark.parametrize(
    ("attr", "expected"),
    [
        ("Plain", ("layer", "A plain layer.")),
        ("Aliased", ("layer", "Through an alias.")),
        ("Module", ("layer", "")),
        ("Local", ("layer", "Derives from a class of the same module.")),
        ("Relative", ("loss", "Derives from a class of another module of the package.")),
        ("Qualified", ("loss", "")),
        ("Private", ("schedule", "")),
        ("Model", ("model", "")),
        ("Unknown", ("", "Built at run time.")),
        ("Mixin", ("", "")),
        ("activation", ("function", "Squares.")),
        ("Missing", ("", "")),
    ],
)
def test_the_kind_is_followed_through_imports_classes_and_modules(package, attr, expected):
    assert read_description(f"{package}:{attr}") == expected


def test_a_re_exported_name_is_followed_to_its_definition(package):
    assert read_description("acme_static:Exported") == ("layer", "A plain layer.")


def test_a_module_that_is_not_there_is_unknown(package):
    assert read_description("acme_static.nowhere:Plain") == ("", "")


def test_a_cycle_of_bases_ends(tmp_path, monkeypatch):
    (tmp_path / "cyclic.py").write_text("class A(B):\n    pass\n\nclass B(A):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert read_description("cyclic:A") == ("", "")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("keras.layers.Dense", "layer"),
        ("keras.src.layers.layer.Layer", "layer"),
        ("keras.Model", "model"),
        ("keras.models.Sequential", "model"),
        ("keras.optimizers.schedules.ExponentialDecay", "schedule"),
        ("keras.optimizers.Adam", "optimizer"),
        ("keras.Layer", "layer"),
        ("keras.ops", ""),
        ("torch.nn.Module", ""),
    ],
)
def test_keras_paths_name_their_kind(path, kind):
    assert kind_of_path(path) == kind
