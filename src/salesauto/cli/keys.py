"""`salesauto keys create|list|revoke|rotate`: API keys, straight against the database."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from salesauto.cli.common import console, fail, print_json, with_platform
from salesauto.kit.time import utcnow
from salesauto.platform import Platform
from salesauto.security import audit
from salesauto.security.endpoints import key_view
from salesauto.security.keystore import IssuedKey
from salesauto.security.principal import SCOPES
from salesauto.security.schemas import KeyView
from salesauto.security.users import UserService

app = typer.Typer(help="API keys: create (shown once), list, revoke, rotate.", no_args_is_help=True)
CLI_ACTOR = "cli"

Workspace = Annotated[
    str, typer.Option("--workspace", help="The workspace the key reaches.", show_default=True)
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _key_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise fail(f"{value!r} is not a key id", "salesauto keys list shows the ids") from None


def _show_issued(issued: IssuedKey, as_json: bool) -> None:
    view = key_view(issued.row).model_dump(mode="json", by_alias=True)
    if as_json:
        print_json({**view, "key": issued.plain})
        return
    console.print(f"[bold green]{issued.plain}[/bold green]")
    console.print(
        f"id {view['id']} · scopes {', '.join(issued.row.scopes)} · expires "
        f"{view['expiresAt'] or 'never'}\n"
        "[yellow]This is the only time the key is shown: store it now.[/yellow] Send it as "
        "`Authorization: Bearer <key>`."
    )


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="What the key is for.")],
    scopes: Annotated[
        str, typer.Option("--scopes", help=f"Comma-separated, any of: {', '.join(SCOPES)}.")
    ],
    expires: Annotated[
        int | None, typer.Option("--expires", min=1, help="Days until the key stops working.")
    ] = None,
    workspace: Workspace = "default",
    user: Annotated[
        str | None, typer.Option("--user", help="Email of the user the key is issued to.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Create a key; it is printed once."""
    wanted = [scope.strip() for scope in scopes.split(",") if scope.strip()]
    expires_at = utcnow() + timedelta(days=expires) if expires else None

    async def run(platform: Platform) -> IssuedKey:
        holder = (
            None
            if user is None
            else await UserService(platform.engine, platform.keys).by_email(workspace, user)
        )
        issued = await platform.keys.create(workspace, name, wanted, expires_at, holder)
        await audit.record(
            platform.engine,
            workspace,
            CLI_ACTOR,
            "key.created",
            str(issued.row.id),
            {"name": name, "scopes": issued.row.scopes},
        )
        return issued

    _show_issued(with_platform(run), as_json)


@app.command("list")
def list_keys(
    workspace: Workspace = "default",
    include_revoked: Annotated[bool, typer.Option("--all", help="Also revoked keys.")] = False,
    as_json: AsJson = False,
) -> None:
    """The workspace's keys (never their secrets)."""
    rows = with_platform(
        lambda platform: platform.keys.page(workspace, include_revoked=include_revoked)
    )
    views = [key_view(row) for row in rows]
    if as_json:
        print_json([view.model_dump(mode="json", by_alias=True) for view in views])
        return
    if not views:
        console.print("No keys yet: salesauto keys create --name me --scopes admin")
        return
    console.print(_table(views))


def _table(views: list[KeyView]) -> Table:
    table = Table("id", "name", "prefix", "scopes", "expires", "last used", "state")
    for view in views:
        table.add_row(
            str(view.id),
            view.name,
            view.prefix,
            ", ".join(view.scopes),
            view.expires_at.strftime("%Y-%m-%d") if view.expires_at else "never",
            view.last_used_at.strftime("%Y-%m-%d %H:%M") if view.last_used_at else "never",
            "revoked" if view.revoked else "active",
        )
    return table


@app.command("revoke")
def revoke(key_id: str, workspace: Workspace = "default", as_json: AsJson = False) -> None:
    """Stop a key at once (other API processes follow within the key cache time)."""
    parsed = _key_id(key_id)

    async def run(platform: Platform) -> KeyView:
        row = await platform.keys.revoke(workspace, parsed)
        await audit.record(platform.engine, workspace, CLI_ACTOR, "key.revoked", key_id)
        return key_view(row)

    view = with_platform(run)
    if as_json:
        print_json(view.model_dump(mode="json", by_alias=True))
    else:
        console.print(f"Revoked {view.name} ({view.prefix}).")


@app.command("rotate")
def rotate(key_id: str, workspace: Workspace = "default", as_json: AsJson = False) -> None:
    """A new key with the same name, scopes and expiry; the old one is revoked."""
    parsed = _key_id(key_id)

    async def run(platform: Platform) -> IssuedKey:
        issued = await platform.keys.rotate(workspace, parsed)
        await audit.record(
            platform.engine,
            workspace,
            CLI_ACTOR,
            "key.rotated",
            key_id,
            {"new": str(issued.row.id)},
        )
        return issued

    _show_issued(with_platform(run), as_json)


@app.command("rotate-encryption")
def rotate_encryption(as_json: AsJson = False) -> None:
    """Re-encrypt stored provider credentials under the current SALESAUTO_CREDENTIAL_KEY.

    Set the new key in SALESAUTO_CREDENTIAL_KEY and the old one in
    SALESAUTO_CREDENTIAL_KEYS_PREVIOUS, run this, then drop the old one."""

    async def run(platform: Platform) -> int:
        changed = await platform.credentials.rotate()
        await audit.record(
            platform.engine, "default", CLI_ACTOR, "credentials.rotated", None, {"count": changed}
        )
        return changed

    changed = with_platform(run)
    if as_json:
        print_json({"reencrypted": changed})
    else:
        console.print(f"Re-encrypted {changed} stored credential(s) under the current key.")
