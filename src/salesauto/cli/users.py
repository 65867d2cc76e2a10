"""`salesauto users create|list|disable|enable`: the people API keys are issued to."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.table import Table

from salesauto.cli.common import console, fail, print_json, with_platform
from salesauto.platform import Platform
from salesauto.security import audit
from salesauto.security.schemas import UserView
from salesauto.security.users import UserService

app = typer.Typer(help="Users of a workspace: create, list, disable, enable.", no_args_is_help=True)
CLI_ACTOR = "cli"
Workspace = Annotated[str, typer.Option("--workspace", help="The user's workspace.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _service(platform: Platform) -> UserService:
    return UserService(platform.engine, platform.keys)


def _show(view: UserView, as_json: bool) -> None:
    if as_json:
        print_json(view.model_dump(mode="json", by_alias=True))
    else:
        state = "disabled" if view.disabled else "active"
        console.print(f"{view.email} ({view.role}, {state}) id {view.id}")


@app.command("create")
def create(
    email: Annotated[str, typer.Option("--email", help="Their email address.")],
    name: Annotated[str, typer.Option("--name", help="Their name.")] = "",
    role: Annotated[str, typer.Option("--role", help="admin or member.")] = "member",
    workspace: Workspace = "default",
    as_json: AsJson = False,
) -> None:
    """Add a user; then `salesauto keys create --user EMAIL ...` issues them a key."""
    if role not in ("admin", "member"):
        raise fail(f"role must be admin or member, not {role!r}")

    async def run(platform: Platform) -> UserView:
        user = await _service(platform).create(workspace, email, name, role)  # type: ignore[arg-type]
        await audit.record(platform.engine, workspace, CLI_ACTOR, "user.created", str(user.id))
        return UserView.model_validate(user.__dict__)

    _show(with_platform(run), as_json)


@app.command("list")
def list_users(workspace: Workspace = "default", as_json: AsJson = False) -> None:
    """The workspace's users."""
    users = with_platform(lambda platform: _service(platform).listed(workspace))
    views = [UserView.model_validate(user.__dict__) for user in users]
    if as_json:
        print_json([view.model_dump(mode="json", by_alias=True) for view in views])
        return
    if not views:
        console.print("No users yet: salesauto users create --email you@company.com --role admin")
        return
    table = Table("id", "email", "name", "role", "state")
    for view in views:
        table.add_row(
            str(view.id),
            view.email,
            view.name,
            view.role,
            "disabled" if view.disabled else "active",
        )
    console.print(table)


def _toggle(user_id: str, workspace: str, disabled: bool, as_json: bool) -> None:
    try:
        parsed = uuid.UUID(user_id)
    except ValueError:
        raise fail(f"{user_id!r} is not a user id", "salesauto users list shows the ids") from None

    async def run(platform: Platform) -> UserView:
        user = await _service(platform).set_disabled(workspace, parsed, disabled)
        action = "user.disabled" if disabled else "user.enabled"
        await audit.record(platform.engine, workspace, CLI_ACTOR, action, user_id)
        return UserView.model_validate(user.__dict__)

    _show(with_platform(run), as_json)


@app.command("disable")
def disable(user_id: str, workspace: Workspace = "default", as_json: AsJson = False) -> None:
    """Stop every key of the user (API processes follow within the key cache time)."""
    _toggle(user_id, workspace, True, as_json)


@app.command("enable")
def enable(user_id: str, workspace: Workspace = "default", as_json: AsJson = False) -> None:
    """Let the user's keys that were not revoked work again."""
    _toggle(user_id, workspace, False, as_json)
