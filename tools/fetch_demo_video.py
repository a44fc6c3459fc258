"""Fetch the Sports2D demo walk (BSD-3-Clause, perfanalytics) from the `sports2d` wheel on PyPI.

    python tools/fetch_demo_video.py demo_out/sports2d_demo_walk.mp4
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "sports2d==0.8.34"
MEMBER = "Sports2D/Demo/demo.mp4"
SHA256 = "d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039"


def fetch(dest: Path) -> Path:
    if dest.is_file() and hashlib.sha256(dest.read_bytes()).hexdigest() == SHA256:
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp, WHEEL], check=True)
        wheel = next(Path(tmp).glob("sports2d-*.whl"))
        data = zipfile.ZipFile(wheel).read(MEMBER)
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise SystemExit(f"{MEMBER} in {WHEEL} is not the expected clip")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return dest


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1])))
