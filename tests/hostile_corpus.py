"""A corpus of hostile and broken model files, built from real Keras saves.

Files with Lambdas are saved by Keras itself in a child process; every other file is a
mutation of the seed plugin's real ``seed.keras`` / ``seed.h5`` (config edits, extra or
renamed zip members, HDF5 links and datasets added with h5py), so each hazard sits in
an otherwise genuine archive.

Code in the corpus proves whether it ran: a Lambda touches the file named by the
``HOSTILE_CANARY`` environment variable when called, the ``hostile_payload`` module
(see :func:`write_payload_module`) touches it when imported, and the TorchModuleWrapper
pickle touches it when unpickled.
"""

from __future__ import annotations

import base64
import copy
import json
import pickle
import shutil
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

CANARY_VAR = "HOSTILE_CANARY"

PAYLOAD = """
import os
open(os.environ["HOSTILE_CANARY"], "a").close()

class Evil:
    pass

def run(*args, **kwargs):
    open(os.environ["HOSTILE_CANARY"], "a").close()
"""


class Touch:
    """Unpickling this touches the canary: the pickle carries the call, not this class."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "a"))


@dataclass(frozen=True)
class Case:
    """One corpus file: what scan must report and what load_model must raise."""

    name: str
    codes: frozenset[str]  # scan finding codes that must all appear
    error: str  # the LayerhubError subclass load_model raises


def case_rows(cases: dict[Path, Case]) -> dict[str, list]:
    """A built corpus as JSON, so ``shared_build`` can hand it to every xdist worker."""
    return {str(p): [c.name, sorted(c.codes), c.error] for p, c in cases.items()}


def cases_from_rows(rows: dict[str, list]) -> dict[Path, Case]:
    """The inverse of :func:`case_rows`."""
    return {
        Path(p): Case(name, frozenset(codes), error) for p, (name, codes, error) in rows.items()
    }


def write_payload_module(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hostile_payload.py").write_text(PAYLOAD)
    return directory


def rewrite_zip(
    src: Path,
    dst: Path,
    *,
    config: Callable[[dict], Any] | None = None,
    drop: tuple[str, ...] = (),
    extra: tuple[tuple[str, bytes], ...] = (),
    replace: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_STORED,
) -> Path:
    """Copy a real ``.keras`` archive, editing its config and members on the way."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = (replace or {}).get(info.filename) or zin.read(info)
            if info.filename == "config.json" and config is not None:
                edited = json.loads(data)
                result = config(edited)
                data = result if isinstance(result, bytes) else json.dumps(edited).encode()
            zout.writestr(info.filename, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # duplicate names are the point
            for name, data in extra:
                zout.writestr(name, data)
    return dst


def layer(config: dict, name: str) -> dict:
    return next(layer for layer in config["config"]["layers"] if layer["config"]["name"] == name)


def set_head_activation(node: dict) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        layer(config, "head")["config"]["activation"] = node

    return edit


def replace_layer(name: str, module: str | None, class_name: str, extra: dict) -> Callable:
    """Swap the seed model's ``name`` layer for another class, keeping its graph wiring."""

    def edit(config: dict) -> None:
        node = layer(config, name)
        node["module"] = module
        node["class_name"] = class_name
        node["registered_name"] = None if module and module.startswith("keras.") else class_name
        node["config"] = {"name": name, "trainable": True, **extra}

    return edit


def function(module: str, name: str) -> dict:
    return {"module": module, "class_name": "function", "config": name, "registered_name": name}


def nest(depth: int) -> bytes:
    return b'{"class_name": "Functional", "config": ' + b"[" * depth + b"]" * depth + b"}"


def h5_copy(src: Path, dst: Path, edit: Callable[[h5py.File], None]) -> Path:
    shutil.copyfile(src, dst)
    with h5py.File(dst, "a") as f:
        edit(f)
    return dst


def add_external_link(f: h5py.File) -> None:
    group = f["model_weights"] if "model_weights" in f else f["layers"]
    group["stolen"] = h5py.ExternalLink("/etc/passwd", "/data")


def add_external_storage(f: h5py.File) -> None:
    group = f["model_weights"] if "model_weights" in f else f["layers"]
    group.create_dataset("outside", shape=(16,), dtype="u1", external=[("/etc/passwd", 0, 16)])


def add_virtual_dataset(f: h5py.File) -> None:
    layout = h5py.VirtualLayout(shape=(16,), dtype="f4")
    layout[:] = h5py.VirtualSource("/etc/other.h5", "data", shape=(16,))
    group = f["model_weights"] if "model_weights" in f else f["layers"]
    group.create_virtual_dataset("virtual", layout)


def add_shape_bomb(f: h5py.File) -> None:
    group = f["model_weights"] if "model_weights" in f else f["layers"]
    group.create_dataset("bomb", shape=(10**6, 10**6), dtype="f4", chunks=(1, 1024))


def h5_bytes(edit: Callable[[h5py.File], None], src: bytes) -> bytes:
    import io

    buffer = io.BytesIO(src)
    with h5py.File(buffer, "a") as f:
        edit(f)
    return buffer.getvalue()


def build(seed_dir: Path, real_dir: Path, out: Path, canary: str) -> dict[Path, Case]:
    """Write the corpus into ``out``; ``real_dir`` holds the child's real Lambda saves."""
    out.mkdir(parents=True, exist_ok=True)
    keras_file = seed_dir / "seed.keras"
    h5_file = seed_dir / "seed.h5"
    corpus: dict[Path, Case] = {}

    def add(name: str, codes: set[str], error: str, path: Path | None = None) -> Path:
        path = path or out / name
        corpus[path] = Case(name, frozenset(codes), error)
        return path

    unsafe, missing, corrupt, keras_fails = (
        "UnsafeArchiveError",
        "MissingObjectsError",
        "CorruptArchiveError",
        "ModelLoadError",
    )

    # Lambdas, saved by Keras itself.
    for name in (
        "lambda_layer.keras",
        "lambda_layer.h5",
        "lambda_nested_model.keras",
        "lambda_nested_model.h5",
        "lambda_activation.keras",
    ):
        shutil.copyfile(real_dir / name, out / name)
        add(name, {"lambda"}, unsafe)

    # Config mutations of the real seed archive.
    def mutate(name: str, codes: set[str], error: str, **kwargs: Any) -> None:
        add(name, codes, error, rewrite_zip(keras_file, out / name, **kwargs))

    lambda_code = {
        "class_name": "__lambda__",
        "config": {"value": base64.b64encode(b"not even code").decode(), "closure": None},
    }
    mutate(
        "lambda_deep_in_optimizer.keras",
        {"lambda"},
        unsafe,
        config=lambda c: c["compile_config"]["optimizer"]["config"].update(
            learning_rate=lambda_code
        ),
    )
    mutate(
        "external_module_class.keras",
        {"external-module"},
        missing,
        config=replace_layer("wrapped", "hostile_payload", "Evil", {}),
    )
    mutate(
        "external_module_function.keras",
        {"external-module"},
        missing,
        config=set_head_activation(function("hostile_payload", "run")),
    )
    mutate(
        "os_system_activation.keras",
        {"external-module"},
        missing,
        config=set_head_activation(function("os", "system")),
    )
    mutate(
        "non_modeling_enable_unsafe.keras",
        {"non-modeling-api"},
        unsafe,
        config=set_head_activation(function("keras.config", "enable_unsafe_deserialization")),
    )
    mutate(
        "non_modeling_get_file_metric.keras",
        {"non-modeling-api"},
        unsafe,
        config=lambda c: c["compile_config"]["metrics"].append(function("keras.utils", "get_file")),
    )
    mutate(
        "non_modeling_in_lambda_layer.keras",
        {"non-modeling-api", "lambda-layer"},
        unsafe,
        config=replace_layer(
            "wrapped",
            "keras.layers",
            "Lambda",
            {"function": function("keras.config", "enable_unsafe_deserialization")},
        ),
    )
    mutate(
        "string_lookup_path.keras",
        {"file-access"},
        unsafe,
        config=replace_layer(
            "wrapped", "keras.layers", "StringLookup", {"vocabulary": "/etc/passwd"}
        ),
    )
    mutate(
        "integer_lookup_path.keras",
        {"file-access"},
        unsafe,
        config=replace_layer("wrapped", "keras.layers", "IntegerLookup", {"vocabulary": canary}),
    )
    mutate(
        "tfsm_layer.keras",
        {"file-access"},
        unsafe,
        config=replace_layer(
            "wrapped", "keras.layers", "TFSMLayer", {"filepath": "/tmp/attacker_savedmodel"}
        ),
    )
    torch_pickle = base64.b64encode(pickle.dumps(Touch(canary))).decode()
    mutate(
        "torch_module_wrapper.keras",
        {"file-access"},
        unsafe,
        config=replace_layer(
            "wrapped",
            "keras.src.utils.torch_utils",
            "TorchModuleWrapper",
            {"module": torch_pickle, "output_shape": None},
        ),
    )
    mutate(
        "unknown_name.keras",
        {"unknown-name"},
        missing,
        config=set_head_activation(
            {
                "module": "builtins",
                "class_name": "function",
                "config": "Nobody>nothing",
                "registered_name": "function",
            }
        ),
    )
    mutate(
        "unknown_keras_builtin.keras",
        {"unknown-name"},
        keras_fails,
        config=replace_layer("wrapped", "keras.layers", "EvilLayer", {}),
    )
    mutate(
        "trusted_package_not_installed.keras",
        {"unknown-name"},
        missing,
        config=replace_layer("wrapped", "keras_nlp.layers", "Evil", {}),
    )
    mutate(
        "bad_layer_config.keras",
        set(),
        keras_fails,
        config=lambda c: layer(c, "head")["config"].update(units="many"),
    )
    mutate("missing_weights.keras", {"missing-weights"}, unsafe, drop=("model.weights.h5",))

    # Archive hazards.
    config_bytes = zipfile.ZipFile(keras_file).read("config.json")
    mutate("traversal_member.keras", {"path-traversal"}, unsafe, extra=(("../evil.py", b"x"),))
    mutate("absolute_member.keras", {"absolute-member"}, unsafe, extra=(("/tmp/evil", b"x"),))
    mutate(
        "backslash_member.keras",
        {"backslash-member"},
        unsafe,
        extra=(("assets\\..\\..\\evil.py", b"x"),),
    )
    evil_config = json.loads(config_bytes)
    layer(evil_config, "wrapped").update(class_name="Lambda", module="keras.layers")
    mutate(
        "duplicate_config.keras",
        {"duplicate-member"},
        unsafe,
        extra=(("config.json", json.dumps(evil_config).encode()),),
    )
    mutate("unknown_member.keras", {"unknown-member"}, unsafe, extra=(("payload.py", b"x"),))
    mutate(
        "zip_bomb_asset.keras",
        {"zip-bomb"},
        unsafe,
        extra=(("assets/zeros.bin", bytes(64 * 1024 * 1024)),),
        compression=zipfile.ZIP_DEFLATED,
    )
    mutate(
        "config_bomb.keras",
        {"zip-bomb"},
        unsafe,
        config=lambda c: config_bytes + b" " * (256 * 1024 * 1024),
        compression=zipfile.ZIP_DEFLATED,
    )
    mutate("deep_json.keras", {"json-depth"}, unsafe, config=lambda c: nest(100_000))
    mutate("deep_json_moderate.keras", {"json-depth"}, unsafe, config=lambda c: nest(500))
    mutate("config_not_json.keras", {"corrupt"}, corrupt, config=lambda c: b"{not json")
    mutate("config_not_object.keras", {"corrupt"}, corrupt, config=lambda c: b"[1, 2]")
    mutate("config_not_utf8.keras", {"corrupt"}, corrupt, config=lambda c: b'{"a": "\xff\xfe"}')
    mutate("missing_config.keras", {"corrupt"}, corrupt, drop=("config.json",))
    seed_bytes = keras_file.read_bytes()
    add("truncated.keras", {"corrupt"}, corrupt).write_bytes(seed_bytes[: len(seed_bytes) // 2])
    add("not_a_zip.keras", {"corrupt"}, corrupt).write_bytes(b"\x89HDF\r\n" + bytes(200))
    add("empty.keras", {"corrupt"}, corrupt).write_bytes(b"")
    add("random.keras", {"corrupt"}, corrupt).write_bytes(np.random.default_rng(7).bytes(4096))
    bad_method = bytearray(seed_bytes)
    central = bytes(bad_method).rfind(b"PK\x01\x02")  # the last central directory entry
    bad_method[central + 10 : central + 12] = (99).to_bytes(2, "little")  # AES, unsupported
    local = bytes(bad_method).find(b"PK\x03\x04")
    bad_method[local + 8 : local + 10] = (99).to_bytes(2, "little")
    add("unsupported_compression.keras", {"corrupt"}, corrupt).write_bytes(bytes(bad_method))
    add("h5_named_keras.keras", {"corrupt"}, corrupt).write_bytes(h5_file.read_bytes())
    add("zip_named_h5.h5", {"corrupt"}, corrupt).write_bytes(seed_bytes)

    # HDF5: legacy .h5 models and the weights inside .keras archives.
    h5_cases = {
        "external_link": ({"h5-external-link"}, add_external_link),
        "external_storage": ({"h5-external-storage"}, add_external_storage),
        "virtual_dataset": ({"h5-virtual-dataset"}, add_virtual_dataset),
        "shape_bomb": ({"h5-shape-bomb"}, add_shape_bomb),
    }
    weights = zipfile.ZipFile(keras_file).read("model.weights.h5")
    for name, (codes, edit) in h5_cases.items():
        add(f"h5_{name}.h5", codes, unsafe, h5_copy(h5_file, out / f"h5_{name}.h5", edit))
        mutate(
            f"weights_{name}.keras",
            codes,
            unsafe,
            replace={"model.weights.h5": h5_bytes(edit, weights)},
        )
    add(
        "h5_lambda_in_config.h5",
        {"lambda"},
        unsafe,
        h5_copy(h5_file, out / "h5_lambda_in_config.h5", set_h5_lambda),
    )
    add(
        "h5_config_not_json.h5",
        {"corrupt"},
        corrupt,
        h5_copy(h5_file, out / "h5_config_not_json.h5", lambda f: set_attr(f, b"{nope")),
    )
    add(
        "h5_weights_only.h5",
        {"corrupt"},
        corrupt,
        h5_copy(h5_file, out / "h5_weights_only.h5", lambda f: f.attrs.pop("model_config")),
    )
    return corpus


def set_attr(f: h5py.File, value: bytes) -> None:
    f.attrs["model_config"] = value


def set_h5_lambda(f: h5py.File) -> None:
    config = json.loads(f.attrs["model_config"])
    node = copy.deepcopy(config["config"]["layers"][-1])
    node["class_name"] = "Lambda"
    node["config"] = {
        "name": node["config"]["name"],
        "function": ["4wEAAAAAAAAAAAAAAAEAAAAB", None, None],
        "function_type": "lambda",
        "module": "__main__",
    }
    config["config"]["layers"][-1] = node
    f.attrs["model_config"] = json.dumps(config).encode()
