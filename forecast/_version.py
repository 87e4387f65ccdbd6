"""The package version (one place: pyproject.toml reads none of it; tests compare them)."""

__version__ = "0.1.0"
