"""The one thing pyproject.toml cannot say: install ``layerhub-activate.pth`` at the top
of site-packages, where Python runs it at interpreter start (``LAYERHUB_ACTIVATE``), in
a wheel and in an editable install alike."""

from __future__ import annotations

import os
from typing import Any

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.editable_wheel import editable_wheel

PTH = "layerhub-activate.pth"
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "src", PTH)


class BuildPyWithActivationPth(build_py):
    def run(self) -> None:
        super().run()
        self.copy_file(SOURCE, os.path.join(self.build_lib, PTH))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), os.path.join(self.build_lib, PTH)]


class EditableWheelWithActivationPth(editable_wheel):
    """``pip install -e``: setuptools' editable strategies put only their own path file
    in the wheel, never a file ``build_py`` adds outside the packages, so the strategy
    setuptools picks is wrapped to add ``layerhub-activate.pth`` beside it."""

    def _select_strategy(self, *args: Any, **kwargs: Any) -> Any:
        return WithActivationPth(super()._select_strategy(*args, **kwargs))


class WithActivationPth:
    def __init__(self, strategy: Any) -> None:
        self.strategy = strategy

    def __call__(self, wheel: Any, files: list[str], mapping: dict[str, str]) -> None:
        self.strategy(wheel, files, mapping)
        wheel.write(SOURCE, PTH)

    def __enter__(self) -> WithActivationPth:
        self.strategy.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self.strategy.__exit__(*exc)


setup(
    cmdclass={
        "build_py": BuildPyWithActivationPth,
        "editable_wheel": EditableWheelWithActivationPth,
    }
)
