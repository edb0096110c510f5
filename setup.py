"""The one thing pyproject.toml cannot say: install ``layerhub-activate.pth`` at the top
of site-packages, where Python runs it at interpreter start (``LAYERHUB_ACTIVATE``)."""

from __future__ import annotations

import os

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "layerhub-activate.pth"


class BuildPyWithActivationPth(build_py):
    def run(self) -> None:
        super().run()
        self.copy_file(os.path.join("src", PTH), os.path.join(self.build_lib, PTH))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), os.path.join(self.build_lib, PTH)]


setup(cmdclass={"build_py": BuildPyWithActivationPth})
