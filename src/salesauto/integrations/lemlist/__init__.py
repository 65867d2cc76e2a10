"""lemlist: cold-email campaigns. The platform's `OutreachProvider`."""

from salesauto.integrations.lemlist.client import LemlistClient
from salesauto.integrations.lemlist.profile import lemlist_profile

__all__ = ["LemlistClient", "lemlist_profile"]
