"""Provider webhooks: verified receipts, processing jobs, orphan retries, hook registration."""
