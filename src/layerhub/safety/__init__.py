"""What a file may not make layerhub (or Keras) do: the policy stage of a load.

- :mod:`.scan`: every hazard of a saved model, with its severity and location
  (``layerhub scan``, and the analysis ``load_model`` runs first);
- :mod:`.budget`: the weights, shapes, layers and graph depth a config asks for, against
  what the file stores, from :mod:`.estimates` (the weights each object creates) and
  :mod:`.graph` (the models, layers and chains of a config);
- :mod:`.policy`: which findings ``load_model`` refuses, before Keras sees the file.

Nothing here imports keras, nor any module a file names.
"""

__all__ = []
