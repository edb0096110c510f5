"""Registrations; examples live in layerhub_tidy.examples (imported only by the checks)."""

import layerhub

OBJECTS = "layerhub_tidy.objects"
EXAMPLES = "layerhub_tidy.examples"


@layerhub.hookimpl
def layerhub_register(registry):
    registry.add("Tidy>GatedSum", f"{OBJECTS}:GatedSum", example=f"{EXAMPLES}:gated_sum")
    registry.add("Tidy>TokenMean", f"{OBJECTS}:TokenMean", example=f"{EXAMPLES}:token_mean")
    registry.add(
        "Tidy>RunningCenter",
        f"{OBJECTS}:RunningCenter",
        schema={
            "type": "object",
            "required": ["momentum", "axes"],
            "properties": {
                "momentum": {"type": "number", "minimum": 0, "maximum": 1},
                "axes": {"type": "array", "items": {"type": "integer"}},
            },
        },
        example=f"{EXAMPLES}:running_center",
    )
    registry.add(
        "Tidy>DropoutDense", f"{OBJECTS}:DropoutDense", example=f"{EXAMPLES}:dropout_dense"
    )
    registry.add("Tidy>softsign2", f"{OBJECTS}:softsign2")
    registry.add("Tidy>log_cosh_error", f"{OBJECTS}:log_cosh_error")
    registry.add("Tidy>Huberish", f"{OBJECTS}:Huberish")
    registry.add("Tidy>LookaheadAdam", f"{OBJECTS}:LookaheadAdam")
    registry.add("Tidy>UnitNorm", f"{OBJECTS}:UnitNorm")
    registry.add("Tidy>CosineDecay", f"{OBJECTS}:CosineDecay")
