"""Where layerhub meets Keras: the last stage of a load, and every flow that needs Keras.

- :mod:`.precedence`: the one protocol by which user objects win over plugin objects;
- :mod:`.loading`: ``load_model``, ``model_from_json`` and ``scope``;
- :mod:`.keras_own`: Keras's own loaders whatever was patched, and the one Keras patch;
- :mod:`.activation`: ``layerhub.activate()`` and ``LAYERHUB_ACTIVATE``;
- :mod:`.saving`: ``save_model`` (atomic, validated, with a provenance manifest);
- :mod:`.provenance`: the manifest written into a saved archive;
- :mod:`.fastload`: the load that skips initializing weights the archive overwrites;
- :mod:`.backend`: ``import keras``, with the extra to install when its backend is missing;
- :mod:`.export`: ``layerhub export``, a serving artifact;
- :mod:`.introspect`: what a distribution registers with Keras (``layerhub trust``'s child);
- :mod:`.schema_infer`: a starter schema from a real ``get_config()``.

With the conformance suite (:mod:`layerhub.checks`), this is the only package that
imports keras, and it does so inside the functions that need it: importing a module
here imports neither keras nor tensorflow.
"""

__all__ = []
