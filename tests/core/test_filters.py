import numpy as np
import pytest

from ras_mocap.core.filters import fill_gaps_linear


def test_gaps_are_interpolated_and_ends_held():
    values = np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan])[:, None]
    valid = np.isfinite(values[:, 0])
    filled = fill_gaps_linear(values, valid)
    np.testing.assert_allclose(filled[:, 0], [1.0, 1.0, 2.0, 3.0, 4.0, 4.0])


def test_no_valid_frame_is_an_error():
    with pytest.raises(ValueError, match="no valid frame"):
        fill_gaps_linear(np.zeros((3, 2)), np.zeros(3, bool))
