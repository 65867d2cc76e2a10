"""Prometheus metrics. Queue depth is read from the database at scrape time."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

JOB_DURATION = Histogram(
    "salesauto_job_duration_seconds",
    "Time a job's handler ran, by job type.",
    ["type"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800),
)
JOBS_COMPLETED = Counter("salesauto_jobs_completed_total", "Jobs completed by this process.")
JOBS_FINISHED = Counter(
    "salesauto_jobs_finished_total",
    "Jobs that ended failed or cancelled in this process, by type and status.",
    ["type", "status"],
)
JOB_RETRIES = Counter(
    "salesauto_job_retries_total", "Failed attempts scheduled for retry, by type.", ["type"]
)
QUEUE_DEPTH = Gauge(
    "salesauto_queue_jobs",
    "Jobs in the queue by status and type (read at scrape).",
    ["status", "type"],
)
HTTP_REQUESTS = Counter(
    "salesauto_http_requests_total",
    "HTTP requests by route, method and status.",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "salesauto_http_request_duration_seconds", "HTTP request latency by route.", ["route"]
)
