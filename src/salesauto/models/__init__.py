"""ORM models; importing this package registers every table on `Base.metadata`."""

from salesauto.models.agent import AgentTurn
from salesauto.models.autopilot import YoloActivity
from salesauto.models.base import Base
from salesauto.models.campaigns import (
    CampaignEnrollment,
    CampaignEvent,
    CampaignInstance,
    CampaignTemplate,
    DeadLetterEvent,
)
from salesauto.models.chat import ChatConversation, ChatMessage
from salesauto.models.contacts import Company, EnrichmentCacheEntry, ImportedContact, Suppression
from salesauto.models.jobs import CronRun, Job, JobEvent, JobResult, Worker
from salesauto.models.security import ApiKey, AuditEvent, ProviderCredential, User
from salesauto.models.webhooks import ProviderPollCursor, WebhookEndpoint, WebhookReceipt

__all__ = [
    "AgentTurn",
    "ApiKey",
    "AuditEvent",
    "Base",
    "CampaignEnrollment",
    "CampaignEvent",
    "CampaignInstance",
    "CampaignTemplate",
    "ChatConversation",
    "ChatMessage",
    "Company",
    "CronRun",
    "DeadLetterEvent",
    "EnrichmentCacheEntry",
    "ImportedContact",
    "Job",
    "JobEvent",
    "JobResult",
    "ProviderCredential",
    "ProviderPollCursor",
    "Suppression",
    "User",
    "WebhookEndpoint",
    "WebhookReceipt",
    "Worker",
    "YoloActivity",
]
