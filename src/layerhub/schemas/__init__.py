"""JSON Schemas: the third stage of a load (and of save, ``validate`` and ``check``).

- :mod:`.refs`: the forms a plugin may give a schema in (a dict, or
  ``"package:path.json"``), read and fingerprinted;
- :mod:`.shipped`: layerhub's own schemas (``json/``), and the one ``$ref`` resolver;
- :mod:`.violations`: validating a document, every violation with its JSON pointers;
- :mod:`.plugin`: plugin schemas checked against the meta-schema, compiled once, and
  applied to the configs a model references;
- :mod:`.prefilter`: jsonschema_rs as a fast first pass that may only say "valid".

Nothing here imports keras, nor (until a schema is first needed) jsonschema or
jsonschema_rs. It knows registry entries only by what they hold (a name, a schema and
who provides it), so the registry can depend on it and not the other way round.
"""

__all__ = []
