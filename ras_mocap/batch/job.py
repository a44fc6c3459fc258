"""One video of a batch, as a Dask worker runs it: the people pass, tracking, cleaning and the
gait analysis through the same functions as the `gait` command (and, with `bake`, the `bake`
command, in a process of its own). Outputs are made in a scratch folder and returned as bytes,
so DIR is written only by the client and need not be shared with the workers."""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from collections.abc import Iterator

from ..capture.detector import RegionOfInterest
from ..capture.subject import SubjectChoice
from ..core.cleaning import CleaningSettings
from ..core.errors import RasMocapError
from ..version import version
from .inputs import BatchInput, is_url

__all__ = ["BatchSettings", "VideoOutcome", "content_sha256", "hash_or_error", "run_video", "limit_native_threads",
           "usable_cores", "worker_ready"]

_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class BatchSettings:
    """The CLI's settings for every video; `key()` names them, with the model's content and the
    release, so a rerun knows which results they made."""

    model_name: str
    model_sha256: str
    roi: RegionOfInterest | None = None
    subject: SubjectChoice = SubjectChoice()
    num_poses: int = 4
    cleaning: CleaningSettings = CleaningSettings()
    body_height_m: float | None = None
    fov_deg: float | None = None
    bake: bool = False

    def describe(self) -> dict:
        return {**asdict(self), "subject": self.subject.describe(), "ras_mocap": version()}

    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.describe(), sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class VideoOutcome:
    """What a worker sends back for one video: its files (relative path -> bytes), the gait
    summary and the track's facts when they were reached, and the error that stopped it, if any."""

    input: BatchInput
    content_sha256: str
    files: dict[str, bytes] = field(default_factory=dict)
    summary: dict | None = None
    facts: dict = field(default_factory=dict)
    error: str | None = None
    details: str | None = None
    """The traceback of an error that is a bug (not a problem with the video), for the log."""
    error_is_the_videos: bool = False
    """The error is a fact about the video (not a video, nobody walking): a rerun of the same
    bytes with the same settings would meet it again, so it skips the video. A worker that died,
    a file a worker could not read or a bug is tried again."""
    worker: str = ""
    elapsed_s: float = 0.0


def content_sha256(source: str) -> str:
    """SHA-256 of a video's bytes (a local path or a URL); what a rerun compares."""
    digest = hashlib.sha256()
    with _open_bytes(source) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def hash_or_error(source: str) -> tuple[str | None, str | None]:
    """(content_sha256, None), or (None, why the video cannot be read): run on a worker, which
    must see the inputs."""
    try:
        return content_sha256(source), None
    except OSError as exc:
        return None, f"cannot read {source} on worker {socket.gethostname()}: {exc.strerror or exc}"
    except ValueError as exc:  # a URL fsspec cannot open
        return None, f"cannot read {source}: {exc}"


def worker_ready(bake: bool) -> None:
    """Run on each worker before any video: import what a video needs, so that a requirement
    missing there is one error now, not every video's."""
    for module in ("..capture.tracking", "..core.gait.report"):
        importlib.import_module(module, __package__)
    if bake and importlib.util.find_spec("bpy") is None:
        raise ModuleNotFoundError("No module named 'bpy' (--bake runs Blender's bpy module)", name="bpy")


def usable_cores() -> list[int]:
    """The cores this process may run on (its affinity, where the system has one)."""
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))


@contextmanager
def _open_bytes(source: str):
    if is_url(source):
        import fsspec

        with fsspec.open(source, "rb") as stream:
            yield stream
    else:
        with open(source, "rb") as stream:
            yield stream


@contextmanager
def _local_video(source: str, scratch: Path) -> Iterator[Path]:
    """A path OpenCV can open: the file itself, or a URL's bytes copied into the scratch folder."""
    if not is_url(source):
        yield Path(source)
        return
    local = scratch / ("input" + Path(source.split("?")[0]).suffix)
    with _open_bytes(source) as stream, open(local, "wb") as out:
        shutil.copyfileobj(stream, out, _CHUNK_BYTES)
    yield local


_MODELS: dict[str, Path] = {}


def _model_file(model: bytes, settings: BatchSettings) -> Path:
    """The model the client sent, stored once per worker process (checked against its hash)."""
    if settings.model_sha256 in _MODELS:
        return _MODELS[settings.model_sha256]
    if hashlib.sha256(model).hexdigest() != settings.model_sha256:
        raise RasMocapError(f"the model {settings.model_name} arrived damaged on worker {socket.gethostname()}")
    folder = Path(tempfile.gettempdir()) / "ras_mocap-models" / settings.model_sha256[:16]
    path = folder / settings.model_name  # its own name: the track's meta and the report record it
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.stat().st_size != len(model):
            partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            partial.write_bytes(model)
            os.replace(partial, path)
    except OSError as exc:
        raise RasMocapError(f"worker {socket.gethostname()} cannot store the model in {folder}: "
                            f"{exc.strerror or exc}") from None
    _MODELS[settings.model_sha256] = path
    return path


def limit_native_threads(cores: tuple[int, ...]) -> None:
    """Hold this worker's native threads to its share of the machine's cores, so that workers
    side by side do not fight over them: every thread (and so each one MediaPipe, FFmpeg or
    OpenCV starts later, which inherits it) on `cores` (Linux only; elsewhere only OpenCV's
    pool is sized), OpenCV's pool to their number. BLAS's are held by Dask's own environment."""
    import cv2

    if hasattr(os, "sched_setaffinity"):
        for thread_id in os.listdir("/proc/self/task"):
            try:
                os.sched_setaffinity(int(thread_id), cores)
            except OSError:  # a thread that has just ended
                pass
    cv2.setNumThreads(len(cores))


def run_video(item: BatchInput, content_hash: str, settings: BatchSettings, model: bytes,
              cores: dict[str, tuple[int, ...]]) -> VideoOutcome:
    """Track and analyse one video (and bake it, if asked). Never raises: a video that fails
    comes back with its error and whatever files it reached (the track, when it got that far).
    `cores`: the cores each worker (by address) keeps to, from the client's count of the workers
    on each host; a worker that joined later is not held."""
    from distributed import get_worker

    started = time.perf_counter()
    worker = get_worker().address
    if worker in cores:
        limit_native_threads(cores[worker])
    outcome = VideoOutcome(item, content_hash, worker=worker)
    with tempfile.TemporaryDirectory(prefix="ras_mocap-batch-") as scratch_dir:
        scratch = Path(scratch_dir)
        try:
            _run(item, settings, model, scratch, outcome)
        except RasMocapError as exc:
            outcome.error, outcome.error_is_the_videos = str(exc), True
        except Exception as exc:  # a bug: the traceback goes to the batch log
            outcome.error = f"{type(exc).__name__}: {exc} (a bug in RAS Mocap {version()}; see batch.log)"
            outcome.details = traceback.format_exc()
        outcome.files = {path.relative_to(scratch / "out").as_posix(): path.read_bytes()
                         for path in sorted((scratch / "out").rglob("*")) if path.is_file()}
    outcome.elapsed_s = time.perf_counter() - started
    return outcome


def _run(item: BatchInput, settings: BatchSettings, model: bytes, scratch: Path, outcome: VideoOutcome) -> None:
    from ..capture.tracking import TrackingSettings, track_video
    from ..core.gait.report import report_track, source_record

    out = scratch / "out"
    out.mkdir()
    tracking = TrackingSettings(_model_file(model, settings), settings.roi, settings.subject, settings.num_poses)
    with _local_video(item.source, scratch) as video:
        track = track_video(video, tracking)
    track.meta["source"] = item.source
    track_path = track.save(out / "track.npz")
    outcome.facts = {"frames": len(track), "fps": track.fps, "detection_rate": track.detection_rate,
                     "subject_id": track.meta.get("subject_id"), "subject_reason": track.meta.get("subject_reason"),
                     "people": len(track.meta.get("people", [])), "model": track.meta.get("model")}
    settings.cleaning.check_rate(track.sample_rate_hz)
    analysis = report_track(track, out / "gait", settings.cleaning, settings.body_height_m, settings.fov_deg,
                            source_record(item.source, track))
    outcome.summary = analysis.summary
    if settings.bake:
        _bake_in_own_process(track_path, out / Path(item.name).name, settings)


def _bake_in_own_process(track_path: Path, stem: Path, settings: BatchSettings) -> None:
    """Bake the saved track with the `bake` command in a process of its own: bpy belongs to a
    process's main thread, and a Dask task runs on an executor thread."""
    cleaning = settings.cleaning
    command = [sys.executable, "-m", "ras_mocap", "bake", str(track_path), "--out", f"{stem}.blend",
               "--bvh", f"{stem}.bvh", "--max-gap-s", repr(cleaning.max_gap_s),
               "--cutoff-hz", repr(cleaning.cutoff_hz or 0.0), *(() if cleaning.fix_swaps else ("--keep-swaps",))]
    for option, value in (("--height-m", settings.body_height_m), ("--fov-deg", settings.fov_deg)):
        if value is not None:
            command += [option, repr(value)]
    package_root = str(Path(__file__).resolve().parents[2])  # where the uploaded package lives on this worker
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH"))))}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode == 0:
        return
    errors = [line.removeprefix("error: ") for line in done.stderr.splitlines() if line.startswith("error: ")]
    if done.returncode == 2 and errors:  # the bake refused this track: the video's own failure
        raise RasMocapError(f"bake: {errors[-1]}")
    raise RuntimeError(f"the bake exited with status {done.returncode}:\n{done.stderr[-4000:]}")
