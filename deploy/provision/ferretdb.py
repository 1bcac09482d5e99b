"""FerretDB as a test server: the MongoDB wire protocol on SQLite, on 127.0.0.1.

The server is our own small main (``ferretdb/main.go``) around FerretDB's embeddable package,
built with the Go toolchain from the Go module proxy, with the fixes in ``ferretdb/patches/``
applied to a copy of the FerretDB module. The binary is cached and rebuilt only when
``main.go``, ``go.mod``, ``go.sum``, a patch, the build tags or the Go version change.
It answers once a MongoDB ``ping`` through pymongo succeeds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from deploy.provision.definition import LoopbackServer, remove_tree, setting
from deploy.provision.supervisor import ProvisionError, file_lock, port_accepts
from deploy.provision.tools import require_tool, run_logged

log = logging.getLogger("deploy.provision")

SOURCE_DIR = Path(__file__).with_name("ferretdb")
PATCH_DIR = SOURCE_DIR / "patches"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
# Only the SQLite backend is used; leaving PostgreSQL out shortens the build.
GO_TAGS = "ferretdb_no_postgresql"


@dataclass(frozen=True)
class FerretDB(LoopbackServer, label="uri", pattern=r"ferretdb-sqlite", probe_interval=0.5):
    """FerretDB on SQLite; ``from_env`` reads each setting from ``FERRETDB_<SETTING>``."""

    port: int = setting(27018, "listen port")
    log_level: str = setting("info", "debug, info, warn or error")
    start_timeout: float = setting(60.0, "seconds to wait for ping")

    # --- the binary -----------------------------------------------------------------

    @property
    def binary(self) -> Path:
        return self.cache_dir / "ferretdb" / "bin" / "ferretdb-sqlite"

    @property
    def _stamp(self) -> Path:
        return self.binary.with_name(".source-hash")

    @property
    def _build_log(self) -> Path:
        return self.layout.state_dir / "build.log"

    def _source_hash(self, go: str) -> str:
        sources = [SOURCE_DIR / "main.go", SOURCE_DIR / "go.mod", SOURCE_DIR / "go.sum", *self._patches()]
        go_version = subprocess.run([go, "version"], capture_output=True, check=True).stdout
        digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources))
        digest.update(f"{GO_TAGS}\n".encode() + go_version)
        return digest.hexdigest()

    @staticmethod
    def _patches() -> list[Path]:
        return sorted(PATCH_DIR.glob("*.patch"))

    def _built(self, go: str) -> bool:
        try:
            stamp = self._stamp.read_text().strip()
        except OSError:
            return False
        return os.access(self.binary, os.X_OK) and stamp == self._source_hash(go)

    def _go_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "GOMODCACHE": str(self.cache_dir / "go" / "mod"),
            "GOCACHE": str(self.cache_dir / "go" / "build"),
            # Module cache files are read-only by default, which makes deleting the cache fail.
            "GOFLAGS": "-modcacherw -buildvcs=false",
            "CGO_ENABLED": "0",
        }

    def obtain(self) -> None:
        """Build the patched FerretDB binary into the cache, unless it is up to date."""
        with file_lock(self.cache_dir / "ferretdb" / "build.lock"):
            go = require_tool("go", "build FerretDB")
            if self._built(go):
                log.info("FerretDB binary up to date: %s", self.binary)
                return
            log.info(
                "building FerretDB into %s (first build takes a few minutes; log %s) ...",
                self.binary,
                self._build_log,
            )
            started = time.monotonic()
            self.binary.parent.mkdir(parents=True, exist_ok=True)
            self.layout.state_dir.mkdir(parents=True, exist_ok=True)
            self._build_log.write_bytes(b"")
            env = self._go_env()
            work = self._patched_source(go, env)
            partial = self.binary.with_name(f"ferretdb-sqlite.tmp.{os.getpid()}")
            try:
                run_logged(
                    [go, "build", "-trimpath", "-tags", GO_TAGS, "-o", str(partial), "."],
                    self._build_log,
                    failure="go build failed",
                    cwd=work,
                    env=env,
                )
            except ProvisionError:
                partial.unlink(missing_ok=True)
                raise
            partial.replace(self.binary)
            self._stamp.write_text(self._source_hash(go) + "\n")
            log.info("built in %.0fs", time.monotonic() - started)

    def _patched_source(self, go: str, env: Mapping[str, str]) -> Path:
        """A copy of our main package whose FerretDB module is a patched copy (go.mod replace)."""
        work = self.cache_dir / "ferretdb" / "src"
        build_log = self._build_log
        failure = "could not prepare the patched FerretDB source"
        remove_tree(work)
        work.mkdir(parents=True)
        for name in ("main.go", "go.mod", "go.sum"):
            shutil.copy2(SOURCE_DIR / name, work / name)
        run_logged([go, "mod", "download", FERRETDB_MODULE], build_log, failure=failure, cwd=work, env=env)
        module = run_logged(
            [go, "list", "-m", "-f", "{{.Dir}}", FERRETDB_MODULE],
            build_log,
            failure=failure,
            cwd=work,
            env=env,
            capture_stdout=True,
        ).strip()
        if not module or not Path(module).is_dir():
            raise ProvisionError(f"{failure}: go list gave no module directory ({module!r})")
        copy = work / "ferretdb-module"
        shutil.copytree(module, copy, symlinks=True)
        _make_writable(copy)
        patch = require_tool("patch", "apply the FerretDB patches")
        for patch_file in self._patches():
            log.info("applying %s", patch_file.name)
            run_logged(
                [patch, "--quiet", "--forward", "--batch", "-d", str(copy), "-p1", "-i", str(patch_file)],
                build_log,
                failure=f"{failure}: {patch_file.name} does not apply",
            )
        run_logged(
            [go, "mod", "edit", "-replace", f"{FERRETDB_MODULE}=./ferretdb-module"],
            build_log,
            failure=failure,
            cwd=work,
            env=env,
        )
        return work

    # --- the process ----------------------------------------------------------------

    @property
    def address(self) -> str:
        """The MongoDB URI, e.g. ``mongodb://127.0.0.1:27018/``."""
        return f"mongodb://{self.endpoint}/"

    def prepare(self) -> None:
        self.layout.data_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [
            str(self.binary),
            "-listen-addr", self.endpoint,
            "-data-dir", str(self.layout.data_dir),
            "-log-level", self.log_level,
        ]  # fmt: skip

    def answers(self) -> bool:
        """True when the listener accepts connections and answers a MongoDB ``ping``."""
        return port_accepts(self.port) and mongo_pings(self.address)


def mongo_pings(uri: str) -> bool:
    """True when the server at ``uri`` answers ``ping`` with ok."""
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=3000, connectTimeoutMS=3000)
    try:
        return client.admin.command("ping").get("ok") == 1
    except PyMongoError:
        return False
    finally:
        client.close()


def _make_writable(root: Path) -> None:
    """``chmod -R u+w``: the module cache hands out read-only copies."""
    for directory, _, files in os.walk(root):
        for path in (directory, *(os.path.join(directory, name) for name in files)):
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)
