"""The Spark extra beside the rest of the install (pyproject's `spark` extra)."""

from __future__ import annotations

import subprocess
import sys

from amicable.settings import REPO_ROOT
from tests.spark.conftest import require_spark


def test_with_pyspark_installed_a_process_without_a_main_module_imports_the_checks() -> None:
    """pyspark exits a process whose main module has no file (it takes it for its own doctests)
    unless its Spark Connect packages are installed; Great Expectations imports it, so each
    pytest-xdist worker of `uv run pytest` exited and no test ran. `python -c` has no main
    module file either."""
    require_spark()
    done = subprocess.run(
        [sys.executable, "-c", "import data_quality.checks; print('imported')"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported", done.stderr
