"""``layerhub inspect FILE``: the weight tree of a saved model, without building it.

Works on ``.weights.h5`` files, sharded weights (the ``.weights.json`` index and its
shards), ``.keras`` archives (zip or directory), KerasHub presets and legacy ``.h5``
models; never imports keras.
"""

from __future__ import annotations

import argparse

from ..archive.weights import read_weights
from .output import emit_json, table

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "inspect", help="list the weights stored in a file (paths, shapes, dtypes)"
    )
    parser.add_argument(
        "file",
        help=".weights.h5, a sharded .weights.json, .keras (zip or directory), a KerasHub "
        "preset directory, legacy .h5 or hf://owner/name[@REV]",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    weights = read_weights(args.file)
    shards = sorted({w.shard for w in weights if w.shard})
    if args.json:
        emit_json(
            {
                "file": args.file,
                "weights": [
                    {"path": w.path, "shape": list(w.shape), "dtype": w.dtype}
                    | ({"shard": w.shard} if w.shard else {})
                    for w in weights
                ],
                "arrays": len(weights),
                "parameters": sum(w.size for w in weights),
                **({"shards": shards} if shards else {}),
            }
        )
        return 0
    rows = [(w.path, "x".join(map(str, w.shape)) or "scalar", w.dtype) for w in weights]
    if shards:
        rows = [(*row, w.shard) for row, w in zip(rows, weights, strict=True)]
    if rows:
        print(table(["path", "shape", "dtype", *(["shard"] if shards else [])], rows))
    in_shards = f" in {len(shards)} shard(s)" if shards else ""
    print(f"{len(weights)} array(s), {sum(w.size for w in weights)} parameter(s){in_shards}")
    return 0
