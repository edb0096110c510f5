# acme_blocks/layerhub_plugin.py -- stays light: no keras import at module level
import layerhub


@layerhub.hookimpl
def layerhub_register(registry):
    registry.add(
        "Acme>GatedResidual",
        "acme_blocks.layers:GatedResidual",
        schema={
            "type": "object",
            "required": ["units"],
            "properties": {"units": {"type": "integer", "minimum": 1}},
        },
    )
    registry.add("Acme>sq_relu", "acme_blocks.layers:sq_relu")
    registry.add("Acme>OrthoPenalty", "acme_blocks.layers:OrthoPenalty")
    registry.add("Acme>UnitNorm", "acme_blocks.layers:UnitNormRows")
    registry.add("Acme>CosineDecay", "acme_blocks.layers:CosineDecay")
    registry.add("Acme>FocalMSE", "acme_blocks.layers:FocalMSE")
    registry.add("Acme>Tower", "acme_blocks.layers:Tower")
