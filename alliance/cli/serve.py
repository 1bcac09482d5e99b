"""``alliance up``: the API and the services in one process."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer

from alliance.cli.console import console
from alliance.cli.options import DataDir, load_settings

if TYPE_CHECKING:
    from alliance.bootstrap import Platform


def up(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    data_dir: DataDir = None,
    demo: Annotated[bool, typer.Option("--demo", help="Load the synthetic demo history first")] = False,
) -> None:
    """Start the API and the services in one process (embedded shape unless configured otherwise)."""
    import uvicorn

    from alliance.bootstrap import build_platform
    from api.app import create_app
    from streams.observability.log_format import configure_logging

    settings = load_settings(data_dir, host=host, port=port)
    configure_logging(json_lines=settings.log_format == "json")
    platform = build_platform(settings)
    if not (settings.auth_jwks_file or settings.auth_jwks_url):
        from api.security.local_issuer import local_issuer

        keys = local_issuer(settings.data_dir)  # created on first start
        console.print(f"Bearer tokens are checked against {keys.jwks_path}: `alliance token issue --org …`")
    if demo:
        _load_demo(platform)
    console.print(
        f"Alliance platform ({settings.shape}) on http://{settings.host}:{settings.port}  — API docs at /docs"
    )
    # log_config=None: uvicorn keeps the JSON logging configured above.
    uvicorn.run(create_app(platform), host=settings.host, port=settings.port, log_config=None)


def _load_demo(platform: Platform) -> None:
    """Submit the synthetic demo history (loading it again changes nothing: its ids are fixed)."""
    from alliance.demo import demo_events, demo_indicator_events, demo_releases

    results = platform.ingest.submit(demo_events() + demo_indicator_events(), "import")
    platform.procurement_ingest.submit(demo_releases())
    counts = Counter(r.outcome for r in results)
    console.print(f"Demo history (synthetic): {counts['accepted']} new, {counts['duplicate']} already loaded")
