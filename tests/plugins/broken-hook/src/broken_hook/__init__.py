"""Test plugin broken-hook."""
