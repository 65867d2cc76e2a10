"""Worker subprocesses for the reliability tests: real processes, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from salesauto.config import Settings
from tests.conftest import worker_env


class WorkerProcess:
    def __init__(self, settings: Settings, *, concurrency: int = 4, **env: str) -> None:
        self.log = (
            Path(os.environ.get("TMPDIR", "/tmp"))
            / f"salesauto-worker-{os.getpid()}-{id(self)}.log"
        )
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "salesauto",
                "worker",
                "--concurrency",
                str(concurrency),
                "--no-scheduler",
            ],
            env=worker_env(settings, **env),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    def stop(self, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log_file.close()
        return code

    def output(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(errors="replace")
