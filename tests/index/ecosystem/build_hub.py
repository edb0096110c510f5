"""Child: tiny KerasHub backbones and a classifier (no preprocessor, nothing downloaded).

argv: the folder. Saves ``NAME.keras``, its inputs and predictions; prints name -> file.
"""

import json
import sys
from pathlib import Path

import keras
import keras_hub
import numpy as np

out = Path(sys.argv[1])
keras.utils.set_random_seed(0)
text = dict(vocabulary_size=50, num_layers=1, num_heads=2, hidden_dim=8, intermediate_dim=16)
decoder = dict(
    vocabulary_size=50, num_layers=1, num_query_heads=2, num_key_value_heads=1, hidden_dim=8
)
bert = keras_hub.models.BertBackbone(**text, max_sequence_length=8)
models = {
    "bert": bert,
    "gpt2": keras_hub.models.GPT2Backbone(**text, max_sequence_length=8),
    "vit": keras_hub.models.ViTBackbone(
        image_shape=(16, 16, 3), patch_size=8, num_layers=1, num_heads=2, hidden_dim=8, mlp_dim=16
    ),
    "gemma": keras_hub.models.GemmaBackbone(**decoder, intermediate_dim=16, head_dim=4),
    "llama": keras_hub.models.LlamaBackbone(**decoder, intermediate_dim=16),
    "bert_classifier": keras_hub.models.BertTextClassifier(
        backbone=bert, num_classes=2, preprocessor=None
    ),
}
rng = np.random.default_rng(0)
report = {}
for name, model in models.items():
    inputs = {}
    for tensor in keras.tree.flatten(model.inputs):
        key = tensor.name.split(":")[0]
        shape = (2, *(d or 8 for d in tensor.shape[1:]))
        if "int" in str(tensor.dtype) or "bool" in str(tensor.dtype):
            value = rng.integers(0, 50, shape)
            value = np.ones(shape) if "mask" in key else value
            value = np.zeros(shape) if "segment" in key else value
            inputs[key] = value.astype("int32")
        else:
            inputs[key] = rng.random(shape, dtype="float32")
    if not isinstance(model.input, dict):
        (inputs,) = inputs.values()
    np.save(out / f"{name}.in.npy", inputs, allow_pickle=True)
    result = keras.tree.map_structure(keras.ops.convert_to_numpy, model(inputs))
    np.save(out / f"{name}.out.npy", result, allow_pickle=True)
    model.save(out / f"{name}.keras")
    report[name] = str(out / f"{name}.keras")
print(json.dumps(report))
