"""The durable job queue: every arrow of the pipeline that does work is a job."""
