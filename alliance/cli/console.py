"""Where the command line prints: the consoles and the progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

console = Console()
#: For notes beside output that is meant to be piped (a token on stdout).
notes = Console(stderr=True)


@contextmanager
def progress_bar(description: str, total: int, *, in_bytes: bool = False) -> Iterator[Callable[[int], None]]:
    """A progress bar over ``total`` items (or bytes); yields the function that advances it.

    The bar ends full when the work is done: skipped input (blank lines) is not counted as it is read.
    """
    counted = DownloadColumn() if in_bytes else MofNCompleteColumn()
    columns = (TextColumn("{task.description}"), BarColumn(), counted, TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.advance(task, done)
        progress.update(task, completed=total)
