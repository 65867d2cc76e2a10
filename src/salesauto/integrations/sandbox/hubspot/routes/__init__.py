"""The emulator's HTTP routes, one module per HubSpot API area."""
