"""Which installed code provides each registered name: the registry stage of a load.

- :mod:`.hookspecs`: the plugin contract's hook and the ``hookimpl`` marker;
- :mod:`.registrar`: what a hook receives, ``registry.add(...)``;
- :mod:`.registry`: the lazy catalogue of names -> targets, and who provides each;
- :mod:`.discovery`: entry points -> pluggy -> one registry (with the trusted and
  curated indexes of installed distributions), broken plugins isolated;
- :mod:`.manager`: the pluggy plugin manager each plugin is registered with;
- :mod:`.cache`: what discovery found, replayed while the plugins' files are unchanged;
- :mod:`.allowlist`: which providers (and which packages Keras may import) are allowed;
- :mod:`.doctor`: every problem with the installed plugins, found without running them.

Importing any of it imports neither keras nor a plugin's targets.
"""

__all__ = []
