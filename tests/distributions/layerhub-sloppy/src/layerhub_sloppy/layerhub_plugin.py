"""Registrations of the sloppy objects; the comment by each says which check it breaks."""

import layerhub

OBJECTS = "layerhub_sloppy.objects"
EXAMPLES = "layerhub_sloppy.examples"


@layerhub.hookimpl
def layerhub_register(registry):
    # config_json: get_config() returns a numpy scalar.
    registry.add("Sloppy>NumpyScale", f"{OBJECTS}:NumpyScale", example=f"{EXAMPLES}:numpy_scale")
    # config_round_trip: every from_config(get_config()) appends to a list in the config.
    registry.add("Sloppy>GrowingTags", f"{OBJECTS}:GrowingTags", example=f"{EXAMPLES}:growing_tags")
    # registered_name: the class is not registered with Keras under this name.
    registry.add(
        "Sloppy>Unregistered", f"{OBJECTS}:Unregistered", example=f"{EXAMPLES}:unregistered"
    )
    # schema: the schema wants "units" as an integer, get_config() gives a string.
    registry.add(
        "Sloppy>SchemaMismatch",
        f"{OBJECTS}:SchemaMismatch",
        schema={
            "type": "object",
            "required": ["units"],
            "properties": {"units": {"type": "integer"}},
        },
        example=f"{EXAMPLES}:schema_mismatch",
    )
    # save_load: get_config() forgets the factor, so the reloaded layer computes otherwise.
    registry.add("Sloppy>Forgetful", f"{OBJECTS}:Forgetful", example=f"{EXAMPLES}:forgetful")
    # weights: get_config() forgets the width, so a rebuilt layer has other weight shapes.
    registry.add(
        "Sloppy>ForgetsWidth", f"{OBJECTS}:ForgetsWidth", example=f"{EXAMPLES}:forgets_width"
    )
    # save_load: the optimizer forgets a hyperparameter, so a reloaded model trains otherwise.
    registry.add(
        "Sloppy>ForgetfulSGD", f"{OBJECTS}:ForgetfulSGD", example=f"{EXAMPLES}:forgetful_sgd"
    )
    # every check that builds it: the example returns an instance, not (instance, input).
    registry.add(
        "Sloppy>Identity", f"{OBJECTS}:Identity", example=f"{EXAMPLES}:identity_without_input"
    )
    # imports: the target names an attribute the module does not have.
    registry.add("Sloppy>Missing", f"{OBJECTS}:NoSuchLayer")
    # needs an example: a layer with a required argument and no example (skipped; strict fails).
    registry.add("Sloppy>NoExample", f"{OBJECTS}:NoExample")
