"""Run every benchmark in turn: `python -m bench` (or `make bench`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

ALL = tuple(
    info.name
    for info in pkgutil.iter_modules([str(Path(__file__).resolve().parent)])
    if info.name not in ("harness", "__main__")
)


def main() -> int:
    chosen = sys.argv[1:] or list(ALL)
    for name in chosen:
        print(f"\n=== bench.{name} ===", flush=True)
        importlib.import_module(f"bench.{name}").main([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
