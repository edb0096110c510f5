"""Registrations that fail only when used: the doctor must find each without importing."""

import layerhub


@layerhub.hookimpl
def layerhub_register(registry):
    registry.add("HostileBroken>Fine", "hostile_broken.objects:Fine")
    registry.add("HostileBroken>NoModule", "hostile_broken.nowhere:Thing")
    registry.add("HostileBroken>NoAttribute", "hostile_broken.objects:Missing")
    registry.add(
        "HostileBroken>NoSchemaFile",
        "hostile_broken.objects:Fine",
        schema="hostile_broken:schemas/absent.json",
    )
    registry.add(
        "HostileBroken>SchemaNotJson",
        "hostile_broken.objects:Fine",
        schema="hostile_broken:schemas/not_json.json",
    )
    registry.add(
        "HostileBroken>InvalidSchema",
        "hostile_broken.objects:Fine",
        schema={"type": "no-such-type"},
    )
