"""Which distribution provides each Keras registered name: the package index.

- :mod:`.document`: the index document (``schemas/json/index.schema.json``), loaded from a
  file, a site or a URL, and the curated index shipped with layerhub;
- :mod:`.trusted`: the user's trusted index, written by ``layerhub trust``;
- :mod:`.installed`: the curated and trusted records of *installed* distributions,
  which discovery turns into lazy registry entries;
- :mod:`.manifest`: the provenance manifest a model carries, checked on load;
- :mod:`.requirements`: what to ``pip install`` for a missing name.

Nothing here imports keras or a distribution's code (``layerhub trust`` imports it in a
child process). Publishing a site of wheels is :mod:`layerhub.publish`.
"""

__all__ = []
