"""A deliberately sloppy layerhub plugin: each object breaks one conformance check."""
