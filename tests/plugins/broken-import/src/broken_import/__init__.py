"""Test plugin broken-import."""
