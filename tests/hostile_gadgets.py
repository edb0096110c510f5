"""The second hostile corpus: gadgets Keras's own deny-list misses, allocation bombs,
and every zip entry kind, built from real Keras saves edited where needed.

Each class of issue 15 has one file or more:

- Keras objects used as functions: ``TFSMLayer`` as a Lambda's function (``.keras`` and
  legacy ``.h5``, both saved by Keras with a real Lambda and then edited), a
  ``keras.config`` setter, a ``keras.datasets`` loader as a Lambda's function and as an
  activation, a Keras class as an activation, and a gadget nested in the ``sublayer``
  key of the seed plugin's ``SublayerWrapper``, which the plugin's ``from_config``
  deserializes;
- allocation bombs: ``Dense(units=10**12)``, ``Embedding(input_dim=10**12)``, a 30 GB
  ``Embedding`` under the parameter cap, an absurd ``Input`` shape, too many layers, a
  graph too deep;
- zip entries: a symbolic link, a hard link, a character device;
- ``model.weights.npz`` holding a pickle (which touches the canary when unpickled).
"""

from __future__ import annotations

import copy
import io
import json
import stat
import struct
import zipfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from hostile_corpus import Case, Touch, function, layer, replace_layer, rewrite_zip

TFSM = function("keras.layers", "TFSMLayer")
CONFIG_SETTER = function("keras.config", "set_max_epochs")
DATASET_LOADER = function("keras.datasets.mnist", "load_data")
KERAS_CLASS = function("keras.layers", "Dense")


def set_function(name: str, node: dict) -> Any:
    def edit(config: dict) -> None:
        layer(config, name)["config"]["function"] = copy.deepcopy(node)

    return edit


def set_activation(node: Any) -> Any:
    def edit(config: dict) -> None:
        layer(config, "head")["config"]["activation"] = copy.deepcopy(node)

    return edit


def h5_config(src: Path, dst: Path, edit: Any) -> Path:
    dst.write_bytes(src.read_bytes())
    with h5py.File(dst, "a") as f:
        config = json.loads(f.attrs["model_config"])
        edit(config)
        f.attrs["model_config"] = json.dumps(config).encode()
    return dst


def nested_gadget(config: dict) -> None:
    """The seed's SublayerWrapper deserializes its ``sublayer``: make it a Lambda around
    TFSMLayer (a key only the plugin's constructor reads)."""
    sublayer = layer(config, "wrapped")["config"]["sublayer"]
    sublayer.update(module="keras.layers", class_name="Lambda", registered_name=None)
    sublayer["config"] = {"name": "gadget", "trainable": True, "function": TFSM, "arguments": {}}


def widen(count: int) -> Any:
    """``count`` parallel Activation layers feeding one Add: depth 3, many layers."""

    def edit(config: dict) -> None:
        layers = config["config"]["layers"]
        template, add = layers[1], layers[-1]
        copies = []
        for i in range(count):
            node = copy.deepcopy(template)
            node["config"]["name"] = node["name"] = f"a{i}"
            copies.append(node)
        history = add["inbound_nodes"][0]["args"][0]
        add["inbound_nodes"][0]["args"][0] = [
            {**history[0], "config": {**history[0]["config"], "keras_history": [f"a{i}", 0, 0]}}
            for i in range(count)
        ]
        config["config"]["layers"] = [layers[0], *copies, add]

    return edit


def lengthen(count: int) -> Any:
    """A Sequential chain of ``count`` Activation layers."""

    def edit(config: dict) -> None:
        layers = config["config"]["layers"]
        template = layers[-1]
        chain = []
        for i in range(count):
            node = copy.deepcopy(template)
            node["config"]["name"] = f"a{i}"
            chain.append(node)
        config["config"]["layers"] = [*layers[:-1], *chain]

    return edit


def link_member(name: str, mode: int, data: bytes, extra: bytes = b"") -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix: external_attr holds the mode
    info.external_attr = mode << 16
    info.extra = extra
    return info


def asi_hardlink(target: bytes) -> bytes:
    """An Info-ZIP "ASi Unix" extra field naming ``target`` as a hard link's file."""
    body = struct.pack("<IHIHH", 0, stat.S_IFREG | 0o644, 0, 0, 0) + target
    return struct.pack("<HH", 0x756E, len(body)) + body


def add_members(src: Path, dst: Path, members: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    rewrite_zip(src, dst)
    with zipfile.ZipFile(dst, "a") as zf:
        for info, data in members:
            zf.writestr(info, data)
    return dst


def pickled_npz(canary: str) -> bytes:
    buffer = io.BytesIO()
    payload = np.empty(1, dtype=object)
    payload[0] = Touch(canary)
    np.savez(buffer, **{"layers/head/vars/0": np.zeros((6, 1), "f4"), "evil": payload})
    return buffer.getvalue()


def build(seed_dir: Path, real_dir: Path, out: Path, canary: str) -> dict[Path, Case]:
    """Write the corpus into ``out``; ``real_dir`` holds the child's real saves."""
    out.mkdir(parents=True, exist_ok=True)
    seed = seed_dir / "seed.keras"
    named_keras, named_h5 = real_dir / "named_lambda.keras", real_dir / "named_lambda.h5"
    corpus: dict[Path, Case] = {}
    unsafe = "UnsafeArchiveError"

    def add(path: Path, codes: set[str]) -> None:
        corpus[path] = Case(path.name, frozenset(codes), unsafe)

    def mutate(name: str, src: Path, codes: set[str], **kwargs: Any) -> None:
        add(rewrite_zip(src, out / name, **kwargs), codes)

    gadget = {"non-modeling-api"}
    # 1. Keras objects where a function is expected.
    mutate("tfsm_function_lambda.keras", named_keras, gadget, config=set_function("gadget", TFSM))
    add(h5_config(named_h5, out / "tfsm_function_lambda.h5", set_function("gadget", TFSM)), gadget)
    mutate(
        "config_setter_lambda.keras",
        named_keras,
        gadget,
        config=set_function("gadget", CONFIG_SETTER),
    )
    mutate("config_setter_activation.keras", seed, gadget, config=set_activation(CONFIG_SETTER))
    mutate(
        "dataset_loader_lambda.keras",
        named_keras,
        gadget,
        config=set_function("gadget", DATASET_LOADER),
    )
    mutate("dataset_loader_activation.keras", seed, gadget, config=set_activation(DATASET_LOADER))
    add(
        h5_config(
            named_h5, out / "dataset_loader_lambda.h5", set_function("gadget", DATASET_LOADER)
        ),
        gadget,
    )
    mutate("gadget_in_plugin_config.keras", seed, gadget, config=nested_gadget)
    mutate(
        "class_as_activation.keras", seed, {"class-as-function"}, config=set_activation(KERAS_CLASS)
    )
    mutate(
        "builtin_class_as_activation.keras",
        seed,
        {"class-as-function"},
        config=set_activation({**function("builtins", "Adam"), "registered_name": "function"}),
    )

    # 2. Allocation bombs.
    mutate(
        "dense_units_bomb.keras",
        seed,
        {"weights-over-cap", "absurd-shape"},
        config=lambda c: layer(c, "head")["config"].update(units=10**12),
    )
    mutate(
        "embedding_bomb.keras",
        seed,
        {"weights-over-cap", "absurd-shape"},
        config=replace_layer(
            "nested", "keras.layers", "Embedding", {"input_dim": 10**12, "output_dim": 6}
        ),
    )
    mutate(
        "embedding_30gb.keras",
        seed,
        {"weights-over-stored"},
        config=replace_layer(
            "nested", "keras.layers", "Embedding", {"input_dim": 10**6, "output_dim": 7500}
        ),
    )
    mutate(
        "absurd_input_shape.keras",
        seed,
        {"absurd-shape"},
        config=lambda c: layer(c, "features")["config"].update(batch_shape=[None, 10**6, 10**6]),
    )
    add(
        h5_config(
            named_h5,
            out / "dense_units_bomb.h5",
            lambda c: layer(c, "head")["config"].update(units=10**12),
        ),
        {"weights-over-cap"},
    )
    mutate(
        "too_many_layers.keras", real_dir / "wide.keras", {"too-many-layers"}, config=widen(20_001)
    )
    mutate(
        "graph_too_deep.keras", real_dir / "chain.keras", {"graph-too-deep"}, config=lengthen(5_001)
    )

    # 3. Zip entries that are not files.
    regular = stat.S_IFREG | 0o644
    entries = {
        "zip_symlink.keras": (
            {"zip-symlink"},
            link_member("assets/vocab.txt", stat.S_IFLNK | 0o777, b"/etc/passwd"),
        ),
        "zip_hardlink.keras": (
            {"zip-hardlink"},
            link_member("assets/vocab.txt", regular, b"", asi_hardlink(b"/etc/passwd")),
        ),
        "zip_device.keras": ({"zip-device"}, link_member("assets/tty", stat.S_IFCHR | 0o666, b"")),
    }
    for name, (codes, info) in entries.items():
        add(
            add_members(seed, out / name, [(info, b"/etc/passwd" if "symlink" in name else b"")]),
            codes,
        )

    # 4. Weights as an npz holding a pickle.
    mutate(
        "npz_pickle.keras",
        seed,
        {"npz-pickle"},
        drop=("model.weights.h5",),
        extra=(("model.weights.npz", pickled_npz(canary)),),
    )
    return corpus
