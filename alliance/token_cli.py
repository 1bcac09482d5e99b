"""``alliance token``: development tokens from the embedded shape's local signing key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

token_app = typer.Typer(help="Development bearer tokens signed by the local key (embedded shape).")
console = Console(stderr=True)


@token_app.command("issue")
def issue(
    org: Annotated[str, typer.Option("--org", help="Organisation number of the client (9 digits)")],
    scope: Annotated[
        str, typer.Option("--scope", help="Space-separated scopes")
    ] = "alliance:events.write alliance:read",
    lifetime: Annotated[int, typer.Option("--lifetime", min=60, max=86_400, help="Seconds")] = 3600,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Embedded data directory (default ./var)")
    ] = None,
) -> None:
    """Print a signed access token for ORG (the key is created on first use)."""
    from alliance.cli import _settings
    from api.security.local_issuer import local_issuer
    from schemas.organisations import OrganisationRegistry

    settings = _settings(data_dir)
    organisation = OrganisationRegistry(settings.coordinator_orgs).get(org)
    if organisation is None:
        console.print(f"[red]{org} is no party of the alliance[/red] (a municipality, HelseINN or the trust)")
        raise typer.Exit(2)
    if settings.auth_jwks_file or settings.auth_jwks_url:
        console.print("[yellow]Note:[/yellow] the API is configured to trust another issuer's keys.")
    token = local_issuer(settings.data_dir).issue(
        org, scope, settings.auth_issuer, settings.auth_audience, lifetime_seconds=lifetime
    )
    console.print(f"{organisation.name} ({organisation.role}), scopes: {scope}, valid {lifetime} s")
    typer.echo(token)
