"""Job events: the outbox tail, cross-process wake-ups and the WebSocket hub."""
