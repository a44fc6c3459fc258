"""Run `python -m ras_mocap` in a subprocess, as a user does, and check what a failure prints."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import REPO


def cli_env(env_model: Path | None = None, **extra: str) -> dict:
    env = dict(os.environ)
    env.pop("RAS_MOCAP_MODEL", None)
    if env_model:
        env["RAS_MOCAP_MODEL"] = str(env_model)
    env["PYTHONPATH"] = str(REPO)
    return {**env, **extra}


def run_cli(*args, env_model: Path | None = None, cwd: Path | None = None, timeout_s: float | None = None,
            **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ras_mocap", *map(str, args)], capture_output=True, text=True,
                          env=cli_env(env_model, **extra_env), cwd=cwd, timeout=timeout_s)


def start_cli(*args, env_model: Path | None = None) -> subprocess.Popen:
    """The CLI started, its stderr readable line by line while it runs."""
    return subprocess.Popen([sys.executable, "-m", "ras_mocap", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=cli_env(env_model))


def assert_one_error(run: subprocess.CompletedProcess, says: str, status: int = 2) -> None:
    """Exit `status`, exactly one `error:` line saying `says`, and no traceback."""
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert run.returncode == status, (run.returncode, run.stderr[-3000:])
    assert len(errors) == 1 and says in errors[0], run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]


def leftovers(folder: Path) -> list[str]:
    """Temporary files an output left behind (core.outputs names them .NAME.XXXXXXXX.tmp.EXT)."""
    return sorted(p.name for p in Path(folder).rglob(".*") if ".tmp" in p.name or p.name.endswith(".probe")
                  or p.suffix == ".blend1")


class Watched:
    """A CLI process whose stderr is read on a thread, to wait for what it prints (tqdm's bars end
    their lines with \\r)."""

    def __init__(self, process: subprocess.Popen):
        self.process, self.text = process, ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for chunk in iter(lambda: self.process.stderr.read(1), ""):
            self.text += chunk

    def wait_for(self, pattern: str, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not re.search(pattern, self.text):
            assert self.process.poll() is None and time.monotonic() < deadline, self.text[-3000:]
            time.sleep(0.05)

    def interrupt(self) -> subprocess.CompletedProcess:
        self.process.send_signal(signal.SIGINT)
        stdout = self.process.stdout.read()
        self.process.wait(timeout=60)
        time.sleep(0.2)  # the reader's last characters
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, stdout, self.text)
