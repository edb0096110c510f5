"""``layerhub index build``: a directory of plugin wheels -> a static PEP 503 site and its
layerhub index.

- :mod:`.site`: the site's files (wheels, ``simple/`` pages, ``layerhub-index.json``);
- :mod:`.wheelnames`: the names a wheel provides, read by running its hook in a child
  process without installing it and without keras.
"""

__all__ = []
