import pytest


@pytest.fixture(autouse=True)
def _factory_reset(bpy_clean):
    """Every Blender test starts from factory settings and an empty scene."""
    return bpy_clean
