"""Test plugin conflicting-seed."""
