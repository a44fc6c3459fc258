"""Download Model: the chosen BlazePose bundle from its official address into the model cache,
on a thread (progress in the status bar, Esc cancels), only with Blender's online access on."""
from __future__ import annotations

import threading

import bpy

from ...capture.models import ModelError, download_model
from ..prefs import model_download


class _Download:
    """The download thread's shared state (the thread never touches bpy)."""

    def __init__(self, url: str, dest):
        self.url, self.dest = url, dest
        self.received, self.total = 0, None
        self.cancel = False
        self.error: ModelError | None = None
        self.thread = threading.Thread(target=self._run, name="ras-mocap-download", daemon=True)

    def _run(self) -> None:
        try:
            download_model(self.url, self.dest, self._progress)
        except ModelError as exc:
            self.error = exc

    def _progress(self, received: int, total: int | None) -> bool:
        self.received, self.total = received, total
        return self.cancel


class RASMOCAP_OT_download_model(bpy.types.Operator):
    """Download the chosen BlazePose model (Apache-2.0, from Google's model storage) into the model cache"""

    bl_idname = "ras_mocap.download_model"
    bl_label = "Download Model"

    url: bpy.props.StringProperty(name="URL", description="Where to download from (default: the official address)",
                                  options={"HIDDEN", "SKIP_SAVE"})

    def _begin(self, context) -> _Download | None:
        if not bpy.app.online_access:
            self.report({"ERROR"}, "Online access is off: turn on Preferences > System > Network > Allow Online "
                                   "Access, or set a downloaded .task file as Model File")
            return None
        url, dest = model_download(context)
        download = _Download(self.url or url, dest)
        download.thread.start()
        return download

    def _done(self, download: _Download) -> set[str]:
        if download.error is not None:
            self.report({"ERROR"}, f"{download.error}; no model was saved")
            return {"CANCELLED"}
        self.report({"INFO"}, f"Model saved to {download.dest}")
        return {"FINISHED"}

    def execute(self, context):
        """From a script: download and wait."""
        download = self._begin(context)
        if download is None:
            return {"CANCELLED"}
        download.thread.join()
        return self._done(download)

    def invoke(self, context, event):
        self._download = self._begin(context)
        if self._download is None:
            return {"CANCELLED"}
        self._timer = context.window_manager.event_timer_add(0.1, window=context.window)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        download = self._download
        if event.type == "ESC":
            download.cancel = True
        if event.type != "TIMER" and event.type != "ESC":
            return {"PASS_THROUGH"}
        if download.thread.is_alive():
            done_mb, total = download.received / 1e6, download.total
            context.workspace.status_text_set(
                f"RAS Mocap: downloading model {done_mb:.1f}" + (f" of {total / 1e6:.1f} MB" if total else " MB")
                + " (Esc cancels)")
            return {"PASS_THROUGH"}
        context.window_manager.event_timer_remove(self._timer)
        context.workspace.status_text_set(None)
        return self._done(download)

    def cancel(self, context):
        """Blender ends the operator (a file load, the window closed): the download stops, its
        partial file is removed by the download itself."""
        self._download.cancel = True
        context.window_manager.event_timer_remove(self._timer)
