"""Apollo.io: people search, people and organization enrichment, organization search."""

from salesauto.integrations.apollo.client import ApolloClient
from salesauto.integrations.apollo.profile import apollo_profile

__all__ = ["ApolloClient", "apollo_profile"]
