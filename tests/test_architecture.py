"""The module boundaries of .importlinter hold: the layers of docs/architecture.md, the domain modules
meeting only through each other's interface.py and using the case core only through app.cases.interface."""
import os
import subprocess
import sys
from pathlib import Path

from config import BASE_DIR


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--config", str(BASE_DIR / ".importlinter")], cwd=BASE_DIR,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(BASE_DIR)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_keeps_the_house_style():
    """ruff.toml's rules (pyflakes, pycodestyle, import order, bugbear, pyupgrade, simplify, complexity ≤ 12)."""
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "--config", str(BASE_DIR / "ruff.toml"), "--output-format", "concise",
                             str(BASE_DIR)], cwd=BASE_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
