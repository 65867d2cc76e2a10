"""Storing an uploaded CSV under the data folder, refusing what is over the size limit.

In a cluster the data folder must be shared (a volume) so any worker can read the upload.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from fastapi import UploadFile

from salesauto.kit.errors import SalesautoError

CHUNK = 1024 * 1024


class UploadTooLarge(SalesautoError):
    status_code = 413


async def store_upload(upload: UploadFile, folder: Path, *, max_bytes: int) -> Path:
    """Copy the upload to `folder/<uuid>.csv` in chunks; 413 once it passes `max_bytes`."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}.csv"
    written = 0
    try:
        with target.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise UploadTooLarge(
                        f"the file is larger than the {max_bytes // (1024 * 1024)} MB limit "
                        "(SALESAUTO_IMPORT_MAX_UPLOAD_MB); split it or raise the limit",
                        limitBytes=max_bytes,
                    )
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if written == 0:
        target.unlink(missing_ok=True)
        raise SalesautoError("the uploaded file is empty; send a CSV with a header row")
    return target
