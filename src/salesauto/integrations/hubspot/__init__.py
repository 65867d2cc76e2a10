"""HubSpot CRM: the `CrmSink` client, its HTTP profile and webhook signature checks."""

from salesauto.integrations.hubspot.client import HubSpotClient
from salesauto.integrations.hubspot.errors import (
    HubSpotAssociationFailed,
    HubSpotObjectExists,
    HubSpotSearchWindowExceeded,
)
from salesauto.integrations.hubspot.objects import HubSpotObjects
from salesauto.integrations.hubspot.profile import hubspot_profile
from salesauto.integrations.hubspot.signatures import SignatureInvalid, verify_request

__all__ = [
    "HubSpotAssociationFailed",
    "HubSpotClient",
    "HubSpotObjectExists",
    "HubSpotObjects",
    "HubSpotSearchWindowExceeded",
    "SignatureInvalid",
    "hubspot_profile",
    "verify_request",
]
