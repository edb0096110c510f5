"""What each finding code means: the help text a SARIF rule carries, one per code.

Code scanning (GitHub, GitLab) shows a rule's help beside each result; the codes and
their meaning are the table in ``docs/security.md`` (a test keeps the two in step). A
code missing here still gets a rule, with :data:`GENERIC_HELP`.
"""

from __future__ import annotations

__all__ = ["GENERIC_HELP", "RULES", "help_for"]

GENERIC_HELP = "A hazard layerhub found in a saved Keras model (see docs/security.md)."

_CODE = "the file can run code when Keras loads it"
RULES: dict[str, str] = {
    "lambda": "A serialized Python lambda or marshalled bytecode: " + _CODE + ".",
    "lambda-layer": "A Lambda layer around a named function; the function has its own findings.",
    "non-modeling-api": "Keras's non-modeling API (I/O, network, process-wide settings, "
    "unsafe deserialization) named in a model config, where a model has no use for it.",
    "class-as-function": "A Keras class where a function is expected: Keras would call the "
    "class, skipping the from_config checks of safe_mode.",
    "function-not-allowed": "A Keras function outside the allow-list of pure functions.",
    "file-access": "A layer that reads a file or runs external code when built: a vocabulary "
    "path, TFSMLayer (a SavedModel graph), TorchModuleWrapper (a pickle).",
    "external-module": "A class or function from a module that no installed plugin provides; "
    "layerhub never imports a module because a file names it.",
    "unknown-name": "A name no installed plugin or allowed package provides.",
    "provider-not-allowed": "A name provided only by a distribution outside the allow-list.",
    "schema": "A plugin object's config breaks its plugin's JSON Schema.",
    "path-traversal": "A member or shard name leading outside the archive (.., a/b, absolute).",
    "absolute-member": "A zip member with an absolute path.",
    "backslash-member": "A zip member name with a backslash (a Windows path separator).",
    "duplicate-member": "Two zip members with the same name: readers disagree on which wins.",
    "control-character-member": "A zip member name with control characters.",
    "symlink": "A symbolic link in a model directory that resolves outside it.",
    "unknown-member": "A member outside the Keras archive layout.",
    "unsafe-archive": "The archive could not be read safely.",
    "zip-bomb": "A zip member whose compression ratio exceeds the limit.",
    "overlapping-members": "Zip members sharing compressed data (a non-recursive zip bomb).",
    "member-too-large": "A zip member over the size limit.",
    "archive-too-large": "An archive over the size limit.",
    "too-many-members": "More members (or HDF5 objects) than the limit.",
    "config-too-large": "A JSON member over the size limit.",
    "json-depth": "JSON nested deeper than the limit.",
    "h5-external-link": "An HDF5 external link: reading the weights opens another file.",
    "h5-external-storage": "An HDF5 dataset stored in external files.",
    "h5-virtual-dataset": "An HDF5 virtual dataset, mapping data from other files.",
    "h5-shape-bomb": "An HDF5 dataset declaring far more data than the file stores.",
    "zip-symlink": "A zip entry that is a symbolic link.",
    "zip-hardlink": "A zip entry that is a hard link.",
    "zip-device": "A zip entry that is a device, pipe or socket.",
    "npz-pickle": "An .npz array of Python objects: its bytes are a pickle, which runs code "
    "when loaded with allow_pickle=True.",
    "npz-not-array": "An .npz member that is not an .npy array.",
    "weights-over-stored": "The config declares more weights than the file stores.",
    "weights-over-cap": "The config declares more weights than LAYERHUB_MAX_PARAMS.",
    "absurd-shape": "A config declaring an absurd shape (a resource exhaustion).",
    "placeholder-allocation": "A __numpy__ or __tensor__ value in the config declaring more "
    "elements than the budget (a memory exhaustion when Keras builds it).",
    "placeholder-dtype": "A __numpy__ or __tensor__ value whose dtype NumPy does not read.",
    "too-many-layers": "More layers than the limit.",
    "graph-too-deep": "A layer graph deeper than the limit.",
    "estimate-failed": "A plugin's estimate function raised; its object counts as no weights.",
    "corrupt": "Not a readable model: not a zip or HDF5 file, truncated, members missing.",
    "missing-weights": "No weights: Keras cannot load the model.",
    "unreadable": "The file could not be read (permissions, I/O error).",
    "internal-error": "layerhub failed on this file: a bug in layerhub, please report it.",
}


def help_for(code: str) -> str:
    return RULES.get(code, GENERIC_HELP)
