"""Registrations only: importing this module imports neither keras nor keras_hub."""

import layerhub


@layerhub.hookimpl
def layerhub_register(registry):
    registry.add(
        "HubBackbone>TinyBackbone",
        "hub_backbone.backbone:TinyBackbone",
        schema={
            "type": "object",
            "required": ["vocabulary_size", "hidden_dim"],
            "properties": {
                "vocabulary_size": {"type": "integer", "minimum": 1},
                "hidden_dim": {"type": "integer", "minimum": 1, "maximum": 64},
            },
        },
    )
