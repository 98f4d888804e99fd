"""Detectors, one per module. Importing a module registers its detector by name."""

from __future__ import annotations

import importlib
import pkgutil

_loaded = False


def load_builtin() -> None:
    """Import every detector module in this package once, so each registers itself."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
