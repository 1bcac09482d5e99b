"""What a provisioned server is: its settings from the environment, its files, its addresses.

A definition (``Kafka``, ``FerretDB``) is a frozen dataclass deriving from :class:`LoopbackServer`.
Its settings are fields declared with :func:`setting`; ``from_env`` reads each one from
``<NAME>_<SETTING>`` (``KAFKA_CONTROLLER_PORT``, ``FERRETDB_LOG_LEVEL``), an unset or empty variable
keeping the default. Integer settings are the TCP ports it listens on.

Files, compatible with existing caches (``ALLIANCE_CACHE_DIR``, default ``<project>/.cache``)
and run directories (``ALLIANCE_RUN_DIR``, default ``<project>/.cache/run``)::

    <run>/<name>.lock                 serialises callers
    <run>/<name>/<name>.pid, .log     the process (the previous log is kept as <name>.log.1)
    <run>/<name>/listen.addr          the address it was started on
    <run>/<name>/data/                its data (``--clean`` deletes it)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

from deploy.provision.supervisor import LOOPBACK, ProvisionError

PROJECT_ROOT = Path(__file__).resolve().parents[2]

Definition = TypeVar("Definition", bound="LoopbackServer")


def cache_and_run_dirs(environ: Mapping[str, str]) -> tuple[Path, Path]:
    """The download/build cache and the run directory (``ALLIANCE_CACHE_DIR``, ``ALLIANCE_RUN_DIR``)."""
    cache_dir = Path(environ.get("ALLIANCE_CACHE_DIR") or PROJECT_ROOT / ".cache")
    run_dir = Path(environ.get("ALLIANCE_RUN_DIR") or PROJECT_ROOT / ".cache" / "run")
    return cache_dir, run_dir


def read_setting(environ: Mapping[str, str], name: str, default: Any) -> Any:
    """The value of variable ``name`` as the type of ``default`` (an int is a TCP port)."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if isinstance(default, int):
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise ProvisionError(f"{name}={raw!r} is not a TCP port")
        return int(raw)
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ProvisionError(f"{name}={raw!r} is not a number") from None
    return raw


def setting(default: Any, meaning: str) -> Any:
    """Declare a setting of a definition: a field with a default, read from the environment."""
    return field(default=default, metadata={"meaning": meaning})


def remove_tree(path: Path) -> None:
    """Delete a directory tree; nothing when it does not exist."""
    if path.exists():
        shutil.rmtree(path)


class RunLayout(NamedTuple):
    """Where one server keeps its process and data files under the run directory."""

    run_dir: Path
    state_dir: Path
    data_dir: Path
    pid_file: Path
    log_file: Path
    addr_file: Path
    lock_file: Path

    @classmethod
    def under(cls, run_dir: Path, slug: str) -> RunLayout:
        """The layout of the server called ``slug`` (``kafka``, ``ferretdb``) in ``run_dir``."""
        state_dir = run_dir / slug
        return cls(
            run_dir=run_dir,
            state_dir=state_dir,
            data_dir=state_dir / "data",
            pid_file=state_dir / f"{slug}.pid",
            log_file=state_dir / f"{slug}.log",
            addr_file=state_dir / "listen.addr",
            lock_file=run_dir / f"{slug}.lock",
        )


@dataclass(frozen=True)
class LoopbackServer:
    """What every definition has: a cache, a run layout, ports on 127.0.0.1, timeouts.

    A subclass names how its process is recognised and probed in its class statement
    (``class Kafka(LoopbackServer, label="bootstrap", pattern=..., probe_interval=1.0)``), declares
    its own settings and implements the rest of :class:`ServerDefinition`.
    """

    cache_dir: Path
    layout: RunLayout
    port: int = setting(0, "client listener port")
    start_timeout: float = setting(60.0, "seconds to wait until it answers")
    stop_timeout: float = setting(30.0, "seconds before SIGKILL")

    #: Names the address in the status line, e.g. "bootstrap".
    label: ClassVar[str] = "address"
    #: Matches the server's /proc/PID/cmdline.
    pattern: ClassVar[str] = ""
    #: Seconds between readiness probes while it starts.
    probe_interval: ClassVar[float] = 1.0

    def __init_subclass__(
        cls, *, label: str = "", pattern: str = "", probe_interval: float = 0.0, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.label = label or cls.label
        cls.pattern = pattern or cls.pattern
        cls.probe_interval = probe_interval or cls.probe_interval

    @classmethod
    def settings(cls) -> list[Field[Any]]:
        """The fields read from the environment, in declaration order."""
        return [item for item in fields(cls) if "meaning" in item.metadata]

    @classmethod
    def variable(cls, setting_field: Field[Any]) -> str:
        """The environment variable of a setting, e.g. ``KAFKA_CONTROLLER_PORT``."""
        return f"{cls.__name__.upper()}_{setting_field.name.upper()}"

    @classmethod
    def from_env(cls: type[Definition], environ: Mapping[str, str] | None = None) -> Definition:
        """The server the environment describes (``python -m deploy.provision --help`` lists it)."""
        environ = os.environ if environ is None else environ
        cache_dir, run_dir = cache_and_run_dirs(environ)
        values = {
            item.name: read_setting(environ, cls.variable(item), item.default) for item in cls.settings()
        }
        return cls(cache_dir=cache_dir, layout=RunLayout.under(run_dir, cls.__name__.lower()), **values)

    @classmethod
    def environment_help(cls) -> str:
        """One line per setting: variable, meaning and default."""
        lines = [f"{cls.__name__} (python -m deploy.provision {cls.__name__.lower()} ...):"]
        for item in cls.settings():
            default = f"{item.default:g}" if isinstance(item.default, float) else item.default
            lines.append(f"  {cls.variable(item):<25} {item.metadata['meaning']:<34} (default: {default})")
        return "\n".join(lines) + "\n"

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def ports(self) -> tuple[int, ...]:
        """Every port the server listens on: its integer settings."""
        return tuple(getattr(self, item.name) for item in self.settings() if isinstance(item.default, int))

    @property
    def port_variables(self) -> str:
        """The variables that choose those ports, for error messages."""
        return " / ".join(self.variable(item) for item in self.settings() if isinstance(item.default, int))

    @property
    def endpoint(self) -> str:
        """``host:port`` of the client listener."""
        return f"{LOOPBACK}:{self.port}"

    @property
    def address(self) -> str:
        """What clients are given; the endpoint unless a definition says otherwise."""
        return self.endpoint

    @property
    def listen_description(self) -> str:
        """Recorded in ``listen.addr``: a running server started on another one is refused."""
        return self.endpoint

    def wipe_data(self) -> None:
        """Delete the server's data (``--clean``)."""
        remove_tree(self.layout.data_dir)


class ServerDefinition(Protocol):
    """What :class:`~deploy.provision.server.ManagedServer` needs to know about one kind of server."""

    layout: RunLayout
    label: str
    pattern: str
    probe_interval: float
    start_timeout: float
    stop_timeout: float

    @property
    def name(self) -> str: ...

    @property
    def ports(self) -> tuple[int, ...]: ...

    @property
    def port_variables(self) -> str: ...

    @property
    def endpoint(self) -> str: ...

    @property
    def address(self) -> str: ...

    @property
    def listen_description(self) -> str: ...

    def obtain(self) -> None:
        """Fetch or build what the server runs from, unless the cache is up to date."""

    def prepare(self) -> None:
        """Write configuration and initialise data before a launch (the log is fresh)."""

    def wipe_data(self) -> None:
        """Delete the server's data (``--clean``)."""

    def command(self) -> list[str]:
        """The server's command line."""

    def answers(self) -> bool:
        """True when the server answers its clients (a real client request)."""
