"""Model provisioning against a real HTTP server on 127.0.0.1 serving the real bundles."""
from __future__ import annotations

import functools
import http.server
import threading

import pytest

from ras_mocap.capture.models import ModelError, check_task_bundle, download_model, resolve_model
from tests.conftest import model_path


@pytest.fixture
def http_root(tmp_path):
    """Serve a folder on a free loopback port; yields (folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_download_streams_checks_and_caches(http_root, tmp_path):
    root, base = http_root
    (root / "lite.task").write_bytes(model_path("lite").read_bytes())
    cache = tmp_path / "cache"
    seen = []
    path = resolve_model("lite", cache_dir=cache, allow_download=True, url=f"{base}/lite.task",
                         progress=lambda got, total: seen.append((got, total)))
    assert path == cache / "pose_landmarker_lite.task"
    assert path.read_bytes() == model_path("lite").read_bytes()
    assert seen[-1][0] == seen[-1][1] == path.stat().st_size
    assert list(cache.iterdir()) == [path]  # no temp file left
    # the cached copy is found without the network
    assert resolve_model("lite", cache_dir=cache, allow_download=False) == path


@pytest.mark.parametrize("content", [b"not a zip at all", "truncated"])
def test_bad_download_leaves_no_cache(http_root, tmp_path, content):
    root, base = http_root
    if content == "truncated":
        content = model_path("lite").read_bytes()[:100_000]
    (root / "bad.task").write_bytes(content)
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match="not a PoseLandmarker .task bundle"):
        resolve_model("lite", cache_dir=cache, allow_download=True, url=f"{base}/bad.task")
    assert not any(cache.iterdir())


def test_unreachable_server_is_a_clear_error(http_root, tmp_path):
    _root, base = http_root
    with pytest.raises(ModelError, match="could not download"):
        download_model(f"{base}/missing.task", tmp_path / "m.task")
    assert not any(tmp_path.glob("m.task*"))


def test_offline_without_cache_says_how_to_get_a_model(tmp_path, monkeypatch):
    monkeypatch.delenv("RAS_MOCAP_MODEL", raising=False)
    with pytest.raises(ModelError) as info:
        resolve_model("full", cache_dir=tmp_path, allow_download=False)
    message = str(info.value)
    assert "--download" in message and "RAS_MOCAP_MODEL" in message and "pose_landmarker_full.task" in message


def test_explicit_path_wins_and_is_checked(tmp_path):
    assert resolve_model("lite", explicit_path=model_path("full"), cache_dir=tmp_path) == model_path("full")
    with pytest.raises(ModelError, match="not found"):
        resolve_model("lite", explicit_path=tmp_path / "nope.task")
    fake = tmp_path / "fake.task"
    fake.write_text("hello")
    with pytest.raises(ModelError, match="not a zip"):
        check_task_bundle(fake)
