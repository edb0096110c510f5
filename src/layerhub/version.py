"""The one place layerhub's version is written (``pyproject.toml`` reads it from here)."""

__all__ = []

__version__ = "0.1.0"
