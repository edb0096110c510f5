"""The translation of an old ``.h5`` training configuration (pure JSON: no keras)."""

from __future__ import annotations

from layerhub.kerasio.keras_own import translate_training_config

#: What tf.keras 2.21 writes for ``compile(Adam(0.005), "mse", metrics=["mae", "accuracy"])``.
TF_KERAS = {
    "loss": "mse",
    "metrics": [
        [
            {
                "class_name": "MeanMetricWrapper",
                "config": {"name": "mae", "dtype": "float32", "fn": "mean_absolute_error"},
            },
            {
                "class_name": "MeanMetricWrapper",
                "config": {"name": "accuracy", "dtype": "float32", "fn": "categorical_accuracy"},
            },
        ]
    ],
    "weighted_metrics": None,
    "loss_weights": None,
    "optimizer_config": {
        "class_name": "Custom>Adam",
        "config": {
            "name": "Adam",
            "jit_compile": False,
            "is_legacy_optimizer": False,
            "learning_rate": 0.005,
            "decay": 0.0,
            "beta_1": 0.9,
        },
    },
}


def test_tf_keras_training_config_becomes_keras_3():
    translated = translate_training_config(TF_KERAS)
    assert translated["loss"] == "mse"
    assert translated["metrics"] == [["mean_absolute_error", "accuracy"]]
    assert translated["optimizer_config"] == {
        "class_name": "Adam",
        "config": {"name": "Adam", "learning_rate": 0.005, "beta_1": 0.9},
    }
    assert TF_KERAS["optimizer_config"]["class_name"] == "Custom>Adam"  # input untouched


def test_keras_2_lr_is_learning_rate_and_objects_stay_for_keras():
    loss = {"class_name": "MeanSquaredError", "config": {"name": "mse"}}
    config = {"loss": loss, "optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1}}}
    translated = translate_training_config(config)
    assert translated["loss"] == loss
    assert translated["optimizer_config"]["config"] == {"learning_rate": 0.1}
