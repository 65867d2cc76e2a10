"""Core tables of the campaign models, for statements run on a caller's connection."""

from __future__ import annotations

from salesauto.models.base import table_of
from salesauto.models.campaigns import (
    CampaignEnrollment,
    CampaignEvent,
    CampaignInstance,
    CampaignTemplate,
)

TEMPLATES = table_of(CampaignTemplate)
INSTANCES = table_of(CampaignInstance)
ENROLLMENTS = table_of(CampaignEnrollment)
EVENTS = table_of(CampaignEvent)
