"""Classes of the Keras libraries that open a path named in their config
(``data/keras_file_fields.json``, ``scripts/update_keras_file_fields.py``): a string in
such a field is a ``file-access`` finding, high when the class reads it even under safe
mode, medium when the library refuses it there itself.

The fast tests scan real ``.keras`` archives edited in a temporary directory, in a fresh
process without Keras; the slow ones install keras-hub 0.32.0 (with keras-cv 0.9.0 and
keras-nlp 0.32.0) to regenerate the table and compare it with the shipped one, and show
that KerasHub really reads a "high" field under safe mode while ``layerhub.load_model``
and ``layerhub scan`` refuse the file."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_corpus import layer, rewrite_zip
from support import ROOT, last_json, pip, run_layerhub, run_python, shared_build

from layerhub import data
from layerhub.references.keras_names import file_fields

DENSE = ROOT / "tests" / "fixtures" / "keras" / "benign" / "dense.keras"
SCRIPT = ROOT / "scripts" / "update_keras_file_fields.py"
WHERE = "/config/layers/1/config"
MODULES = {
    "WordPieceTokenizer": "keras_hub.src.tokenizers.word_piece_tokenizer",
    "SentencePieceTokenizer": "keras_hub.src.tokenizers.sentence_piece_tokenizer",
    "WhisperTokenizer": "keras_hub.src.models.whisper.whisper_tokenizer",
    "PARSeqTokenizer": "keras_hub.src.models.parseq.parseq_tokenizer",
    "BertTokenizer": "keras_hub.src.models.bert.bert_tokenizer",
}


def with_class(tmp_path: Path, class_name: str, fields: dict, *, registered: str = "keras_hub"):
    """``dense.keras`` with its Dense layer swapped for a KerasHub class and ``fields``."""

    def edit(config: dict) -> None:
        node = layer(config, "dense")
        node["module"] = MODULES[class_name]
        node["class_name"] = class_name
        node["registered_name"] = f"{registered}>{class_name}"
        node["config"] = {"name": "dense", "trainable": True, **fields}

    return rewrite_zip(DENSE, tmp_path / f"{class_name}.keras", config=edit)


SCAN = """
import json, sys
from layerhub.safety.scan import scan_file
reports = [[f.to_json() for f in scan_file(p).findings if f.code == "file-access"]
           for p in sys.argv[1:]]
print(json.dumps({"reports": reports,
                  "imported": sorted(m for m in ("keras", "keras_hub") if m in sys.modules)}))
"""


def scan(*paths: Path) -> list[list[dict]]:
    result = last_json(run_python(SCAN, *map(str, paths)).stdout)
    assert result["imported"] == []
    return result["reports"]


def test_a_path_in_a_field_the_class_opens_is_a_finding_without_keras(tmp_path):
    files = [
        with_class(tmp_path, "WordPieceTokenizer", {"vocabulary": "/etc/passwd"}),
        with_class(tmp_path, "SentencePieceTokenizer", {"proto": "/etc/shadow"}),
        with_class(tmp_path, "WhisperTokenizer", {"special_tokens": "/etc/hosts"}),
        with_class(tmp_path, "PARSeqTokenizer", {"vocabulary": "/etc/passwd"}),
        with_class(tmp_path, "BertTokenizer", {"vocabulary": "/etc/passwd"}),  # inherited
    ]
    found = [[(f["severity"], f["location"], f["object"]) for f in r] for r in scan(*files)]
    assert found == [
        [("medium", f"{WHERE}/vocabulary", "keras_hub>WordPieceTokenizer")],
        [("medium", f"{WHERE}/proto", "keras_hub>SentencePieceTokenizer")],
        [("high", f"{WHERE}/special_tokens", "keras_hub>WhisperTokenizer")],
        [("high", f"{WHERE}/vocabulary", "keras_hub>PARSeqTokenizer")],
        [("medium", f"{WHERE}/vocabulary", "keras_hub>BertTokenizer")],
    ]


def test_the_message_names_the_class_the_field_and_the_path(tmp_path):
    high, medium = scan(
        with_class(tmp_path, "WhisperTokenizer", {"language_tokens": "/etc/hosts"}),
        with_class(tmp_path, "SentencePieceTokenizer", {"proto": "/etc/shadow"}),
    )
    assert high[0]["message"] == (
        "WhisperTokenizer opens the path '/etc/hosts' named in its 'language_tokens': it "
        "reads it even under safe mode"
    )
    assert "'/etc/shadow' named in its 'proto'" in medium[0]["message"]
    assert "refuses it under safe mode itself" in medium[0]["message"]


def test_safe_mode_refuses_a_medium_path_too(tmp_path):
    """A path the library would refuse itself is refused by layerhub first, in one clear
    error naming the pointer (not KerasHub's bare ``ValueError`` after Keras started);
    ``safe_mode=False`` leaves it to the library."""
    from layerhub.archive.reader import read_archive
    from layerhub.errors import UnsafeArchiveError
    from layerhub.safety.policy import check_archive

    archive = read_archive(
        with_class(tmp_path, "WordPieceTokenizer", {"vocabulary": "/etc/passwd"})
    )
    with pytest.raises(UnsafeArchiveError) as refused:
        check_archive(archive, safe_mode=True, validate=False)
    assert [(f.code, f.location) for f in refused.value.findings] == [
        ("file-access", f"{WHERE}/vocabulary")
    ]
    assert "/etc/passwd" in str(refused.value)
    left = check_archive(archive, safe_mode=False, validate=False)
    assert ("file-access", "medium") in [(f.code, str(f.severity)) for f in left]


def test_inline_values_and_other_fields_are_no_finding(tmp_path):
    inline = base64.b64encode(b"\0" * 4000).decode()  # a proto inlined as base64
    files = [
        with_class(tmp_path, "WordPieceTokenizer", {"vocabulary": ["[PAD]", "a", "b"]}),
        with_class(tmp_path, "SentencePieceTokenizer", {"proto": inline}),
        with_class(tmp_path, "WhisperTokenizer", {"special_tokens": {"<|endoftext|>": 1}}),
        with_class(tmp_path, "WordPieceTokenizer", {"vocabulary": None, "oov": "/etc/passwd"}),
    ]
    assert scan(*files) == [[], [], [], []]


def test_the_class_is_found_by_registered_name_or_by_module(tmp_path):
    """Keras takes the registered name first, then ``module`` + class name: a class
    named by either is judged (``keras_nlp>`` names included: KerasHub registers both)."""
    by_old_name = with_class(
        tmp_path, "WhisperTokenizer", {"vocabulary": "/etc/passwd"}, registered="keras_nlp"
    )
    [[finding]] = scan(by_old_name)
    assert finding["severity"] == "high"
    assert file_fields("keras_hub.src.x", "Acme>Other", "WhisperTokenizer")["vocabulary"]
    assert file_fields(None, "keras_hub>WhisperTokenizer", "x")["special_tokens"]
    assert file_fields("acme.layers", "Acme>WhisperTokenizer", "WhisperTokenizer") == {}
    assert file_fields("keras.layers", "StringLookup", "StringLookup") == {"vocabulary": True}


def test_the_shipped_table_holds_what_keras_hub_reads_and_refuses():
    """The fields of the issue, as derived from keras-hub 0.32.0's source."""
    table = json.loads(data.read("data/keras_file_fields.json"))
    hub = table["keras_hub"]["classes"]
    reads = {
        c: sorted(f for f, v in fields.items() if v["reads_in_safe_mode"])
        for c, fields in hub.items()
    }
    assert {c: r for c, r in reads.items() if r} == {
        "PARSeqTokenizer": ["vocabulary"],
        "WhisperTokenizer": ["language_tokens", "special_tokens", "vocabulary"],
    }
    assert hub["BertTokenizer"] == {"vocabulary": {"reads_in_safe_mode": False}}
    assert hub["GPT2Tokenizer"] == {
        "merges": {"reads_in_safe_mode": False},
        "vocabulary": {"reads_in_safe_mode": False},
    }
    assert hub["GemmaTokenizer"] == {"proto": {"reads_in_safe_mode": False}}
    assert table["keras_nlp"]["classes"] == hub  # keras-nlp 0.32 is keras-hub by another name
    assert table["keras_cv"]["classes"]["ConvMixer"] == {"weights": {"reads_in_safe_mode": True}}


LIBRARIES = [
    "keras-hub==0.32.0",
    "keras-cv==0.9.0",
    "keras-nlp==0.32.0",
    "regex",
    "tokenizers",
    "sentencepiece",
]


@pytest.fixture(scope="session")
def libraries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """keras-hub 0.32.0 (and what its tokenizers import), keras-cv 0.9.0, keras-nlp 0.32.0."""

    def build(directory: Path) -> str:
        target = directory / "site"
        pip("install", "--no-deps", "--only-binary", ":all:", "--target", str(target), *LIBRARIES)
        return str(target)

    return Path(shared_build(tmp_path_factory, "keras-libraries", build))


@pytest.mark.slow
def test_the_shipped_table_matches_the_libraries_source(libraries):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--print"],
        env={"PYTHONPATH": str(libraries), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    shipped = data.read("data/keras_file_fields.json").decode()
    assert proc.stdout == shipped, "run scripts/update_keras_file_fields.py"


READS_UNDER_SAFE_MODE = """
import json, sys
import keras
from keras.saving import deserialize_keras_object

special_tokens, canary = sys.argv[1], sys.argv[2]
tokens = ["<|startoftranscript|>", "<|endoftext|>", "<|notimestamps|>", "<|translate|>",
          "<|transcribe|>"]
vocabulary = {"a": 0, "b": 1, "ab": 2, "Ġ": 3}
whisper = {
    "module": "keras_hub.src.models.whisper.whisper_tokenizer",
    "class_name": "WhisperTokenizer",
    "registered_name": "keras_hub>WhisperTokenizer",
    "config": {"vocabulary": vocabulary, "merges": ["a b"], "special_tokens": special_tokens},
}
tokenizer = deserialize_keras_object(whisper, safe_mode=True)
wordpiece = {
    "module": "keras_hub.src.tokenizers.word_piece_tokenizer",
    "class_name": "WordPieceTokenizer",
    "registered_name": "keras_hub>WordPieceTokenizer",
    "config": {"vocabulary": canary},
}
try:
    deserialize_keras_object(wordpiece, safe_mode=True)
    refused = ""
except (ValueError, TypeError) as exc:  # Keras wraps KerasHub's ValueError
    refused = str(exc)
print(json.dumps({"special": sorted(tokenizer.special_token_ids), "refused": refused}))
"""

LOAD = """
import json, sys
import layerhub
try:
    layerhub.load_model(sys.argv[1])
    outcome = {"error": None}
except layerhub.UnsafeArchiveError as exc:
    outcome = {"error": "UnsafeArchiveError",
               "refused": [(f.code, f.location) for f in exc.findings]}
outcome["keras"] = "keras" in sys.modules
print(json.dumps(outcome))
"""


@pytest.mark.slow
def test_keras_hub_reads_a_high_field_under_safe_mode_and_layerhub_refuses_it(libraries, tmp_path):
    """Plain KerasHub, under safe mode, reads WhisperTokenizer's ``special_tokens`` file
    (its ids come from the file) but refuses WordPieceTokenizer's vocabulary path: the
    severities are right. ``layerhub.load_model`` refuses the file before Keras, and
    ``layerhub scan`` fails on it."""
    ids = {
        "<|startoftranscript|>": 50,
        "<|endoftext|>": 51,
        "<|notimestamps|>": 52,
        "<|translate|>": 53,
        "<|transcribe|>": 54,
    }
    special = tmp_path / "special_tokens.json"
    special.write_text(json.dumps(ids))
    canary = tmp_path / "vocab.txt"
    canary.write_text("[PAD]\na\n")
    result = last_json(
        run_python(READS_UNDER_SAFE_MODE, str(special), str(canary), site=libraries).stdout
    )
    assert result["special"] == [50, 51, 52, 53, 54]  # read from the file, in safe mode
    assert "outside of the model archive" in result["refused"]

    path = with_class(tmp_path, "WhisperTokenizer", {"special_tokens": str(special)})
    loaded = last_json(run_python(LOAD, str(path), site=libraries).stdout)
    assert loaded["error"] == "UnsafeArchiveError"
    assert ("file-access", f"{WHERE}/special_tokens") in map(tuple, loaded["refused"])
    assert loaded["keras"] is False
    proc = run_layerhub("scan", str(path), site=libraries)
    assert proc.returncode == 1
    assert "file-access" in proc.stdout and str(special) in proc.stdout


def test_a_path_in_a_presets_tokenizer_is_located_in_its_document(tmp_path):
    """A KerasHub preset's ``tokenizer.json`` is walked like its config: the finding is at
    ``tokenizer.json#/config/vocabulary``; the preset as saved (vocabulary null, read
    from its assets) has none."""
    preset = tmp_path / "bert_classifier"
    shutil.copytree(ROOT / "tests" / "fixtures" / "keras" / "presets" / "bert_classifier", preset)
    assert scan(preset) == [[]]
    tokenizer = json.loads((preset / "tokenizer.json").read_text())
    tokenizer["config"]["vocabulary"] = "/etc/passwd"
    (preset / "tokenizer.json").write_text(json.dumps(tokenizer))
    [[finding]] = scan(preset)
    assert (finding["severity"], finding["location"], finding["object"]) == (
        "medium",
        "tokenizer.json#/config/vocabulary",
        "keras_hub>BertTokenizer",
    )
