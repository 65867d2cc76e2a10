"""Provider clients (HubSpot, lemlist, Explorium, Apollo), their HTTP layer and the sandbox."""
