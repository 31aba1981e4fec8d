"""The reliability drills (workers killed, faults at every write point, races, backups) are slow: `make test-fast`
leaves them out, `make test` runs them."""
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.slow)
