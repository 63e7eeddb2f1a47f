"""The library's version: the one place it is written (``pyproject.toml`` reads it from here,
so the installed package metadata says the same; a test holds them equal).

A literal rather than ``importlib.metadata.version``: importing ``importlib.metadata`` (and the
``email`` package it parses metadata with) took about a tenth of a short command's time, and
every command needs the version (the compiled corpus and a saved index are checked against it).
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
