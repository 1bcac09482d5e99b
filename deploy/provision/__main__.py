"""``python -m deploy.provision kafka|ferretdb ACTION``: run a test server by hand.

Actions: ``start [--clean]``, ``stop``, ``kill``, ``restart [--clean]``, ``status``, ``fetch``.
``start`` and ``restart`` print the server's address (bootstrap ``127.0.0.1:19092``, URI
``mongodb://127.0.0.1:27018/``) as the last line on stdout; ``status`` prints one line and exits
with 3 when the server is stopped; ``fetch`` fetches Kafka's jars or builds FerretDB. Progress
and errors go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from deploy.provision.ferretdb import FerretDB
from deploy.provision.kafka import Kafka
from deploy.provision.server import ManagedServer
from deploy.provision.supervisor import ProvisionError

DEFINITIONS = {"kafka": Kafka, "ferretdb": FerretDB}
ACTIONS = ("start", "stop", "kill", "restart", "status", "fetch")
EXIT_STOPPED = 3

COMMON_ENVIRONMENT = """\
Both:
  ALLIANCE_CACHE_DIR   jars, Maven repository, Go caches, FerretDB binary  (default: <project>/.cache)
  ALLIANCE_RUN_DIR     data, logs, pid files                               (default: <project>/.cache/run)
  JAVA_HOME            the Java that runs Kafka (default: java on PATH); go is looked up on PATH,
                       then in /usr/local/go/bin
"""


def _environment_help() -> str:
    sections = [definition.environment_help() for definition in DEFINITIONS.values()]
    return "Environment:\n" + COMMON_ENVIRONMENT + "".join(sections)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.provision",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        epilog="Environment:\n"
        + COMMON_ENVIRONMENT
        + "".join(d.environment_help() for d in DEFINITIONS.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("server", choices=sorted(DEFINITIONS))
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument(
        "--clean", action="store_true", help="delete the server's data first (start, restart)"
    )
    return parser


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("provision: %(message)s"))
    ours = logging.getLogger("deploy.provision")
    ours.addHandler(handler)
    ours.setLevel(logging.INFO)
    ours.propagate = False
    # The readiness probe's refused attempts while a broker boots are expected, not news.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)


def run(server: ManagedServer, action: str, clean: bool) -> int:
    """Carry out ``action`` on ``server``; the exit status."""
    if action in ("start", "restart"):
        print(server.restart(clean) if action == "restart" else server.start(clean))
    elif action == "stop":
        server.stop()
    elif action == "kill":
        server.kill()
    elif action == "fetch":
        server.fetch()
    else:
        status = server.status()
        print(status.line)
        return 0 if status.running else EXIT_STOPPED
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run it; the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.clean and args.action not in ("start", "restart"):
        parser.error("--clean goes with start or restart")
    _configure_logging()
    try:
        return run(ManagedServer(DEFINITIONS[args.server].from_env()), args.action, args.clean)
    except ProvisionError as exc:
        print(f"provision {args.server}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
