"""`/api/suppressions`: the do-not-contact list, checked before every spend, sync and send."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from salesauto.jobs.endpoints import Owner
from salesauto.kit.errors import InvalidInput
from salesauto.security import audit
from salesauto.security.scopes import scoped
from salesauto.suppressions.schemas import (
    SuppressionAdded,
    SuppressionBatch,
    SuppressionCreate,
    SuppressionPage,
)
from salesauto.suppressions.service import SuppressionService

router = APIRouter(
    prefix="/api/suppressions", tags=["suppressions"], dependencies=[scoped("contacts")]
)


def _service(request: Request) -> SuppressionService:
    platform = request.app.state.platform
    return SuppressionService(platform.engine, platform.notifier)


Service = Annotated[SuppressionService, Depends(_service)]


@router.get("", response_model=SuppressionPage, response_model_by_alias=True)
async def list_suppressions(
    service: Service,
    owner: Owner,
    kind: Literal["email", "domain"] | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SuppressionPage:
    """Newest first; `kind` filters emails or domains; pass `nextCursor` back for more."""
    items, next_cursor = await service.page(owner, kind=kind, cursor=cursor, limit=limit)
    return SuppressionPage(suppressions=items, next_cursor=next_cursor)


@router.post("", status_code=201, response_model=SuppressionAdded, response_model_by_alias=True)
async def add_suppression(
    body: SuppressionCreate | SuppressionBatch, service: Service, owner: Owner
) -> SuppressionAdded:
    """Suppress an email or a whole domain (`{"value", "reason"}`), or many (`{"entries"}`).

    Invalid entries come back under `rejected`; the others are added; re-adding is harmless.
    The enrollments they cover stop at once, and lemlist's unsubscribe list gets them by a
    `suppressions.propagate` job, so lemlist stops every campaign of theirs too.
    """
    if isinstance(body, SuppressionBatch):
        return await service.add(owner, body.entries)
    added = await service.add(owner, [body])
    if added.rejected:
        raise InvalidInput(added.rejected[0]["reason"], field="value")
    return added


@router.delete("/{suppression_id}", status_code=204)
async def remove_suppression(
    suppression_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    request: Request,
    service: Service,
    owner: Owner,
) -> Response:
    """Take an entry off the list (contacting them becomes possible again). Audited.

    An entry that was pushed to lemlist's unsubscribe list is taken off it too, by a
    `suppressions.unpush` job (retried while lemlist is unreachable). An entry that came
    from lemlist (source `lemlist`: the lead unsubscribed there) stays listed at lemlist:
    remove it there yourself if you mean to contact them again.

    Enrollments the entry stopped are not restarted automatically: enroll the contact again.
    """
    await service.remove(owner, suppression_id)
    await audit.record_request(
        request.app.state.platform.engine, request.scope, "suppression.removed", str(suppression_id)
    )
    return Response(status_code=204)
