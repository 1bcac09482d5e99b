"""``alliance token issue``: development tokens from the embedded shape's local signing key."""

from __future__ import annotations

from typing import Annotated

import typer

from alliance.cli.console import notes
from alliance.cli.options import DataDir, load_settings

app = typer.Typer(help="Development bearer tokens signed by the local key (embedded shape).")


@app.command("issue")
def issue(
    org: Annotated[str, typer.Option("--org", help="Organisation number of the client (9 digits)")],
    scope: Annotated[
        str, typer.Option("--scope", help="Space-separated scopes")
    ] = "alliance:events.write alliance:read",
    lifetime: Annotated[int, typer.Option("--lifetime", min=60, max=86_400, help="Seconds")] = 3600,
    data_dir: DataDir = None,
) -> None:
    """Print a signed access token for ORG (the key is created on first use)."""
    from api.security.local_issuer import local_issuer
    from schemas.organisations import OrganisationRegistry

    settings = load_settings(data_dir)
    organisation = OrganisationRegistry(settings.coordinator_orgs).get(org)
    if organisation is None:
        notes.print(f"[red]{org} is no party of the alliance[/red] (a municipality, HelseINN or the trust)")
        raise typer.Exit(2)
    if settings.auth_jwks_file or settings.auth_jwks_url:
        notes.print("[yellow]Note:[/yellow] the API is configured to trust another issuer's keys.")
    token = local_issuer(settings.data_dir).issue(
        org, scope, settings.auth_issuer, settings.auth_audience, lifetime_seconds=lifetime
    )
    notes.print(f"{organisation.name} ({organisation.role}), scopes: {scope}, valid {lifetime} s")
    typer.echo(token)
