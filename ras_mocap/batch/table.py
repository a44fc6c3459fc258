"""The batch's combined table: a row per video and side (one row, side empty, for a video that
failed), as Parquet and CSV, with each figure's mean, SD and the number of strides or steps it
rests on, the walk's cadence, speed and symmetry, the subject chosen and the error."""
from __future__ import annotations

from pathlib import Path

from ..core.gait.kinematics import SIDES
from ..core.outputs import atomic_output

__all__ = ["TABLE_NAME", "table_rows", "write_table"]

TABLE_NAME = "gait_table"
_SIDE_FIGURES = ("stride_time_s", "stride_length_m", "step_time_s", "step_length_m", "step_width_m", "stance_pct",
                 "swing_pct", "double_support_pct", "speed_m_s")
_TEXT = ("input", "name", "side", "error", "subject_reason", "model")
_COUNTS = ("subject_id", "people", "frames", "steps", "strides")
_WALK = ("cadence_steps_per_min", "cadence_sd_steps_per_min", "walk_speed_m_s", "walk_speed_sd_m_s",
         "symmetry_step_time_pct", "symmetry_step_length_pct", "symmetry_stance_pct")


def _side_columns() -> list[str]:
    return [f"{figure.replace('speed_m_s', 'stride_speed_m_s')}{part}" for figure in _SIDE_FIGURES
            for part in ("", "_sd", "_n")]


COLUMNS = (*_TEXT[:3], "subject_id", "subject_reason", "people", "detection_rate", "frames", "fps", "model",
           "steps", "strides", *_WALK, *_side_columns(), "error")


def _row(record: dict, side: str | None) -> dict:
    summary = record.get("summary") or {}
    symmetry = summary.get("symmetry_index_pct", {})
    row = {name: record.get(name) for name in ("input", "name", "error", "subject_id", "subject_reason", "people",
                                               "detection_rate", "frames", "fps", "model")}
    row.update(side=side, steps=summary.get("steps"), strides=summary.get("strides"),
               cadence_steps_per_min=summary.get("cadence_steps_per_min"),
               cadence_sd_steps_per_min=summary.get("cadence_sd_steps_per_min"),
               walk_speed_m_s=summary.get("speed_m_s"), walk_speed_sd_m_s=summary.get("speed_sd_m_s"),
               symmetry_step_time_pct=symmetry.get("step_time_s"),
               symmetry_step_length_pct=symmetry.get("step_length_m"),
               symmetry_stance_pct=symmetry.get("stance_pct"))
    figures = summary.get(side, {}) if side else {}
    for figure in _SIDE_FIGURES:
        column = figure.replace("speed_m_s", "stride_speed_m_s")
        value = figures.get(figure, {})
        row.update({column: value.get("mean"), f"{column}_sd": value.get("sd"), f"{column}_n": value.get("n")})
    return row


def table_rows(records: list[dict]) -> list[dict]:
    """The rows of every video's record (see outputs.write_outcome), in the order given."""
    return [_row(record, side) for record in records
            for side in (SIDES if record.get("summary") else (None,))]


def _schema():
    import pyarrow as pa

    def kind(column: str):
        if column in _TEXT:
            return pa.string()
        return pa.int64() if column in _COUNTS or column.endswith("_n") else pa.float64()

    return pa.schema([(column, kind(column)) for column in COLUMNS])


def write_table(rows: list[dict], out_dir: Path) -> dict[str, Path]:
    """DIR/gait_table.parquet and .csv, each whole or not at all; their paths."""
    import pyarrow.csv
    import pyarrow.parquet

    table = pyarrow.Table.from_pylist(rows, schema=_schema())
    paths = {kind: out_dir / f"{TABLE_NAME}.{kind}" for kind in ("parquet", "csv")}
    with atomic_output(paths["parquet"]) as temporary:
        pyarrow.parquet.write_table(table, temporary)
    with atomic_output(paths["csv"]) as temporary:
        pyarrow.csv.write_csv(table, temporary)
    return paths
