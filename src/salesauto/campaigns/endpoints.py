"""`/api/campaigns`: templates, their instances at lemlist, enrollments, events and stats."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from salesauto.campaigns.enrollment_pauses import PausableAction, pause_or_resume
from salesauto.campaigns.instances import InstanceService
from salesauto.campaigns.reporting import CampaignReports
from salesauto.campaigns.schemas import (
    Action,
    CampaignStats,
    EnrollmentPage,
    EnrollmentView,
    EventPage,
    InstanceCreate,
    InstancePage,
    InstanceView,
    TemplateCreate,
    TemplatePage,
    TemplateStatus,
    TemplateUpdate,
    TemplateView,
)
from salesauto.campaigns.templates import TemplateService
from salesauto.jobs.endpoints import Owner
from salesauto.kit.errors import NotFound
from salesauto.security import audit
from salesauto.security.scopes import scoped

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"], dependencies=[scoped("campaigns")])


def _templates(request: Request) -> TemplateService:
    return TemplateService(request.app.state.platform.engine)


def _instances(request: Request) -> InstanceService:
    platform = request.app.state.platform
    return InstanceService(platform.engine, platform.integrations)


def _reports(request: Request) -> CampaignReports:
    return CampaignReports(request.app.state.platform.engine)


def _template_id(template_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(template_id)
    except ValueError:
        raise NotFound(f"campaign template {template_id} not found") from None


def _instance_id(instance_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(instance_id)
    except ValueError:
        raise NotFound(f"campaign instance {instance_id} not found") from None


Templates = Annotated[TemplateService, Depends(_templates)]
Instances = Annotated[InstanceService, Depends(_instances)]
Reports = Annotated[CampaignReports, Depends(_reports)]
TemplateId = Annotated[uuid.UUID, Depends(_template_id)]
InstanceId = Annotated[uuid.UUID, Depends(_instance_id)]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=500, description="nextCursor of the last page.")]


@router.post(
    "/templates", status_code=201, response_model=TemplateView, response_model_by_alias=True
)
async def create_template(body: TemplateCreate, templates: Templates, owner: Owner) -> TemplateView:
    """A sequence of steps (email, linkedin, call, task) with `{{variables}}`."""
    return await templates.create(owner, body)


@router.get("/templates", response_model=TemplatePage, response_model_by_alias=True)
async def list_templates(
    templates: Templates,
    owner: Owner,
    status: TemplateStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> TemplatePage:
    """Newest first; pass `nextCursor` back for more."""
    return await templates.page(owner, status=status, cursor=cursor, limit=limit)


@router.get("/templates/{template_id}", response_model=TemplateView, response_model_by_alias=True)
async def get_template(template_id: TemplateId, templates: Templates, owner: Owner) -> TemplateView:
    return await templates.get(owner, template_id)


@router.patch("/templates/{template_id}", response_model=TemplateView, response_model_by_alias=True)
async def update_template(
    template_id: TemplateId, body: TemplateUpdate, templates: Templates, owner: Owner
) -> TemplateView:
    """Change the fields sent; campaigns already spawned keep their sequence."""
    return await templates.update(owner, template_id, body)


@router.delete("/templates/{template_id}", status_code=204)
async def delete_template(template_id: TemplateId, templates: Templates, owner: Owner) -> Response:
    """Delete a template no instance uses (409 otherwise: archive it instead)."""
    await templates.delete(owner, template_id)
    return Response(status_code=204)


@router.post(
    "/instances", status_code=201, response_model=InstanceView, response_model_by_alias=True
)
async def spawn_instance(body: InstanceCreate, instances: Instances, owner: Owner) -> InstanceView:
    """Create the template's campaign at lemlist (in draft), or link `providerCampaignId`."""
    return await instances.spawn(owner, body)


@router.get("/instances", response_model=InstancePage, response_model_by_alias=True)
async def list_instances(
    instances: Instances,
    owner: Owner,
    status: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> InstancePage:
    """Newest first, with their counters; pass `nextCursor` back for more."""
    return await instances.page(owner, status=status, cursor=cursor, limit=limit)


@router.get("/instances/{instance_id}", response_model=InstanceView, response_model_by_alias=True)
async def get_instance(instance_id: InstanceId, instances: Instances, owner: Owner) -> InstanceView:
    return await instances.get(owner, instance_id)


@router.get(
    "/instances/{instance_id}/enrollments",
    response_model=EnrollmentPage,
    response_model_by_alias=True,
)
async def list_enrollments(
    instance_id: InstanceId,
    reports: Reports,
    owner: Owner,
    status: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> EnrollmentPage:
    """Newest first; `status` e.g. enrolled, active, paused, replied, bounced, unsubscribed."""
    return await reports.enrollments(owner, instance_id, status=status, cursor=cursor, limit=limit)


@router.get(
    "/instances/{instance_id}/events", response_model=EventPage, response_model_by_alias=True
)
async def list_events(
    instance_id: InstanceId,
    reports: Reports,
    owner: Owner,
    type: Annotated[str | None, Query(max_length=50, description="e.g. opened, replied")] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> EventPage:
    """The provider's events for this campaign, newest first."""
    return await reports.events(owner, instance_id, event_type=type, cursor=cursor, limit=limit)


@router.get(
    "/instances/{instance_id}/stats", response_model=CampaignStats, response_model_by_alias=True
)
async def instance_stats(instance_id: InstanceId, reports: Reports, owner: Owner) -> CampaignStats:
    """Funnel of leads (enrolled → sent → delivered → opened → clicked → replied), bounced and
    unsubscribed, and rates: reply and open rate over delivered, bounce rate over sent."""
    return await reports.stats(owner, instance_id)


@router.post(
    "/instances/{instance_id}/recount", response_model=CampaignStats, response_model_by_alias=True
)
async def recount_instance(
    instance_id: InstanceId, reports: Reports, owner: Owner
) -> CampaignStats:
    """Rebuild the counters from the stored events and enrollments."""
    return await reports.recount(owner, instance_id)


@router.post(
    "/instances/{instance_id}/enrollments/{enrollment_id}/{action}",
    status_code=202,
    response_model=EnrollmentView,
    response_model_by_alias=True,
)
async def pause_or_resume_enrollment(
    instance_id: InstanceId,
    enrollment_id: uuid.UUID,
    action: PausableAction,
    request: Request,
    owner: Owner,
) -> EnrollmentView:
    """`pause` one lead's sequence until resumed, or `resume` a paused one (an out-of-office
    pause included). The enrollment changes now; lemlist follows by a
    `campaigns.sync_lead_pause` job, retried while lemlist is unreachable. A finished
    enrollment (replied, unsubscribed, bounced, stopped, completed) cannot be paused or
    resumed: 409. Recorded in the audit log."""
    platform = request.app.state.platform
    view = await pause_or_resume(
        platform.engine, platform.notifier, owner, instance_id, enrollment_id, action
    )
    await audit.record_request(
        platform.engine, request.scope, f"enrollment.{action}", str(enrollment_id)
    )
    return view


# Last: its `{action}` would otherwise swallow the fixed paths above (`…/recount`).
@router.post(
    "/instances/{instance_id}/{action}",
    response_model=InstanceView,
    response_model_by_alias=True,
)
async def act_on_instance(
    instance_id: InstanceId, action: Action, request: Request, instances: Instances, owner: Owner
) -> InstanceView:
    """`start` a draft campaign at lemlist (409 from any other status), `pause` a running one,
    `resume` a paused one, or `stop` it for good (paused at lemlist, its running enrollments
    stopped). Recorded in the audit log."""
    view = await instances.act(owner, instance_id, action)
    await audit.record_request(
        request.app.state.platform.engine, request.scope, f"campaign.{action}", str(instance_id)
    )
    return view
