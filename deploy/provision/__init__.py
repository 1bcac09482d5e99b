"""Real Kafka and FerretDB on loopback for tests, benchmarks and local work, from Python.

``python -m deploy.provision kafka|ferretdb start [--clean]|stop|kill|restart [--clean]|status|fetch``
(see :mod:`deploy.provision.__main__`); ``tests.support.servers`` uses the same classes.

* :mod:`~deploy.provision.supervisor`: one detached process (pid file, log, lock, signals);
* :mod:`~deploy.provision.definition`: what a server is (settings from the environment, files);
* :mod:`~deploy.provision.server`: the start/stop/kill/restart/status flow for a definition;
* :mod:`~deploy.provision.kafka`, :mod:`~deploy.provision.ferretdb`: the two definitions;
* :mod:`~deploy.provision.tools`: finding java, mvn, go and patch, and running them logged.

Fetching and building are plain subprocess calls from Python (``mvn dependency:copy-dependencies``
on ``kafka/pom.xml``; ``go mod download``, ``patch`` and ``go build`` for FerretDB), not shell
scripts: each is a handful of commands whose decisions (cache hashes, atomic replacement of the
jars or the binary, locking, error messages with the log tail) belong with the rest of the
provisioning, and one language keeps a single place for each of them.
"""

from deploy.provision.definition import ServerDefinition
from deploy.provision.ferretdb import FerretDB
from deploy.provision.kafka import Kafka
from deploy.provision.server import ManagedServer, Status
from deploy.provision.supervisor import ProvisionError
from deploy.provision.tools import find_tool

__all__ = ["FerretDB", "Kafka", "ManagedServer", "ProvisionError", "ServerDefinition", "Status", "find_tool"]
