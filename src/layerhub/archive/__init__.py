"""Reading saved models safely, without keras: the first stage of every load and scan.

- :mod:`.reader`: ``read_archive`` -- a ``.keras`` zip, an unzipped ``.keras`` directory
  or a legacy ``.h5`` file -> its config, metadata and manifest, plus the hazards met;
- :mod:`.layout`: the member names of the Keras archive layout, and :class:`.ModelArchive`;
- :mod:`.limits`: what a file may ask of the reader, and the error for exceeding it;
- :mod:`.jsondoc`: JSON members parsed with bounded depth;
- :mod:`.zipped`, :mod:`.directory`, :mod:`.legacy_h5`: one reader per format;
- :mod:`.members`: a stored zip member read in place, without ``zipfile``'s copy;
- :mod:`.hdf5_hazards` and :mod:`.hdf5_layout`: HDF5 hazards, read in pure Python first;
- :mod:`.sources`: which inputs ``load_model`` reads itself, decided as Keras does;
- :mod:`.weights`: the weight tree of a file (``layerhub inspect``).

Nothing in this package imports keras, or anything of layerhub's but its foundation
modules (errors, findings, settings).
"""

__all__ = []
