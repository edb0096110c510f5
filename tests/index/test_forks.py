"""A package and its fork that ship one import package: both indexed, the installed one
used, every candidate named when neither is.

The distributions here are real installed metadata (a ``dist-info`` with its ``RECORD``
in a directory on ``sys.path``), read by ``importlib.metadata`` as pip's installs are;
the curated index is the shipped one. Keras is never imported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from layerhub.index.document import curated_index
from layerhub.index.installed import IndexedDistribution, module_owners, module_provider
from layerhub.index.requirements import hints_for, module_hint


def installed(site: Path, name: str, package: str) -> None:
    """``name`` installed into ``site`` the way pip writes it, shipping ``package``."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\n")
    (site / package).mkdir(exist_ok=True)
    (site / package / "__init__.py").write_text("")
    (info / "RECORD").write_text(f"{package}/__init__.py,,\n{info.name}/METADATA,,\n")


def indexed(name: str) -> IndexedDistribution:
    return IndexedDistribution(name, "1.0", "curated", "1.0", (), ("forkpkg",))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_the_installed_owner_of_the_module_wins_whichever_the_index_lists_first(site):
    installed(site, "fork-pkg-two", "forkpkg")
    assert module_owners("forkpkg.layers") == {"fork-pkg-two"}
    both = [indexed("forkpkg-original"), indexed("fork-pkg-two")]
    assert module_provider(both, "forkpkg.layers").distribution == "fork-pkg-two"
    assert module_provider(both[::-1], "forkpkg.layers").distribution == "fork-pkg-two"


def test_a_module_installed_by_a_distribution_no_index_vouches_for_has_no_provider(site):
    installed(site, "someone-else", "forkpkg")
    assert module_provider([indexed("forkpkg-original")], "forkpkg.layers") is None


def test_the_curated_index_holds_tfkan_and_its_fork_and_each_name_hints_its_own():
    names = {d["name"]: d for d in curated_index().distributions}
    assert names["tfkan"]["modules"] == names["tf-kan-latest"]["modules"] == ["tfkan"]
    hints = hints_for(
        [("DenseKAN", "tfkan.layers.dense"), ("tfkan>DenseKAN", "tfkan.layers.dense")]
    )
    assert hints["DenseKAN"].requirement == "tfkan"  # the original registers the bare name
    assert hints["tfkan>DenseKAN"].requirement == "tf-kan-latest"  # the fork renamed it


def test_a_class_only_the_shared_import_package_names_hints_every_candidate():
    hint = module_hint(curated_index(), "tfkan.layers.dense")
    assert hint.requirement is None
    assert "tf-kan-latest and tfkan both ship the import package 'tfkan'" in hint.note
    assert module_hint(curated_index(), "kimm.models").requirement == "kimm"
