"""The embedded platform plus one bare FastAPI route, served by uvicorn (used by the benchmarks).

``python -m bench.server DATA_DIR PORT``: the bare route ``/bench/bare`` returns a small JSON
object with no work behind it, on the same app and server as the real routes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from alliance.bootstrap import build_platform
from alliance.settings import Settings
from api.app import create_app


def main() -> None:
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    # The load generator is one client: no per-client rate limit in a benchmark.
    app = create_app(build_platform(Settings(data_dir=data_dir, rate_limit_per_second=0)))

    @app.get("/bench/bare")
    def bare() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
