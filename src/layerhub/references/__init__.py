"""What a saved model's config names: the second stage of every load and scan.

- :mod:`.walk`: every object a config references (classes, functions, lambdas), each
  with its JSON pointer, in the vocabulary of Keras's ``serialization_lib``;
- :mod:`.keras_names`: Keras's own name lists (built-ins, non-modeling APIs), as data.

Nothing here imports keras; it depends on layerhub's foundation modules only.
"""

__all__ = []
