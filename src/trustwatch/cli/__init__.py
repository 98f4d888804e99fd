"""The ``trustwatch`` command. Each module in this package contributes ``COMMANDS``.

Modules import heavy dependencies inside their command functions so ``--help`` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from trustwatch import __version__
from trustwatch.errors import TrustwatchError


class _Group(click.Group):
    """Turns trustwatch's own errors into a one-line message instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except TrustwatchError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trustwatch")
def main() -> None:
    """trustwatch: trust detection for online marketplaces."""


for _info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _command in getattr(_module, "COMMANDS", ()):
        main.add_command(_command)
