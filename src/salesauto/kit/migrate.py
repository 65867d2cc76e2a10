"""Apply Alembic migrations from code (`salesauto migrate`, start-up, tests)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    # Imported here: alembic costs half a second at start-up, and workers on PostgreSQL
    # never migrate.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(url: str) -> None:
    """Upgrade the database at `url` to the newest revision."""
    upgrade_to(url, "head")


def upgrade_to(url: str, revision: str) -> None:
    """Upgrade the database at `url` to `revision` (tests of a migration stop before it).

    Alembic's env runs its own event loop, so from inside a running loop this runs in a
    helper thread.
    """
    errors: list[BaseException] = []

    from alembic import command

    def _upgrade() -> None:
        try:
            command.upgrade(alembic_config(url), revision)
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=_upgrade, name="salesauto-migrate")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
