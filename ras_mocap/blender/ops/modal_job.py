"""What every long RAS Mocap operator shares once it runs modal: a window timer, Esc, the job
ended elsewhere (Stop, unregistering, another file loaded), Blender ending the operator itself
(cancel(): a file load, a closed window), and a failure that must not leave the timer or the
job's threads behind."""
from __future__ import annotations

import bpy

from .. import running
from ..ui.redraw import redraw_panels

__all__ = ["ModalJob"]


class ModalJob:
    """Mixin for a bpy Operator whose `job` (a running.Job) works between timer events.
    Subclasses give on_tick() and on_escape(); both return the operator's result set."""

    job: running.Job | None = None
    _timer = None

    def run_modal(self, context: bpy.types.Context, job: running.Job, interval_s: float) -> set[str]:
        self.job = job
        self._timer = context.window_manager.event_timer_add(interval_s, window=context.window)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if self.job not in running.jobs():  # stopped elsewhere: its data was handled there
            return self.finish_modal(context, {"CANCELLED"})
        try:
            if event.type == "ESC":
                return self.on_escape(context)
            if event.type != "TIMER":
                return {"PASS_THROUGH"}
            return self.on_tick(context)
        except Exception:  # a bug: threads and timer go, then Blender shows the traceback
            self.abandon(context)
            raise

    def cancel(self, context):
        """Blender ends the operator (another file opened, the window closed): the job's threads
        stop without touching Blender data, which may be being freed."""
        self.abandon(context)

    def abandon(self, context) -> None:
        if self.job is not None:
            running.remove(self.job)
            self.job.release()
        self.finish_modal(context, set())

    def finish_modal(self, context, result: set[str]) -> set[str]:
        """Remove the timer and the status text; `result` passed through."""
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None
        if context.workspace is not None:
            context.workspace.status_text_set(None)
        redraw_panels(context)
        return result

    def on_tick(self, context) -> set[str]:
        raise NotImplementedError

    def on_escape(self, context) -> set[str]:
        raise NotImplementedError
