"""Acme building blocks for Keras."""
