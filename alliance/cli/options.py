"""What the commands share: the ``--data-dir`` option, the settings, the platform of a one-shot command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alliance.cli.console import console
from alliance.settings import Settings

if TYPE_CHECKING:
    from alliance.bootstrap import Platform

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Embedded data directory (default ./var)")]


def load_settings(data_dir: Path | None = None, **overrides: object) -> Settings:
    """The settings from the environment, with the options given; exit 2 naming a bad setting."""
    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except Exception as error:  # pydantic's ValidationError: say which setting is wrong, then stop
        console.print(f"[red]Invalid configuration:[/red] {error}")
        raise typer.Exit(2) from None


@contextmanager
def opened_platform(data_dir: Path | None = None) -> Iterator[Platform]:
    """The platform for one command, closed when the command is done (or fails)."""
    from alliance.bootstrap import build_platform

    platform = build_platform(load_settings(data_dir), process="cli")
    try:
        yield platform
    finally:
        platform.close()
