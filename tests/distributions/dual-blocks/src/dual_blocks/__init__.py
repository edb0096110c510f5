"""Dual blocks: declared statically and registered by a hook."""
