"""The suppression list: emails and domains never to enrich, sync or contact."""
