"""The house rules, run as part of the suite: lint, format, types, and the layering."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SOURCES = ["service", "scanner", "tests", "bench", "migrations", "scripts"]


# What the pre-commit hooks run too (.pre-commit-config.yaml), each from the project's venv.
COMMANDS = {
    "ruff-check": [str(BIN / "ruff"), "check", *SOURCES],
    "ruff-format": [str(BIN / "ruff"), "format", "--check", *SOURCES],
    "mypy-strict": [str(BIN / "mypy")],
    "import-layers": [str(BIN / "lint-imports")],
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_code_passes(command: list[str]) -> None:
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_no_test_module_imports_another() -> None:
    """What tests share lives in modules made for it (factories, fixtures' parts), never in a
    ``test_*.py``: importing one runs its tests' module-level code and couples the two."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [
                f"{path.relative_to(ROOT)}: {name}"
                for name in names
                if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")
            ]
    assert offenders == []


def test_the_pre_commit_hooks_run_the_same_commands() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (local,) = config["repos"]
    assert local["repo"] == "local"
    hooks = {hook["id"]: hook for hook in local["hooks"]}
    assert set(hooks) == set(COMMANDS)
    for name, command in COMMANDS.items():
        hook = hooks[name]
        assert hook["entry"].split() == [f".venv/bin/{Path(command[0]).name}", *command[1:]]
        assert (hook["language"], hook["pass_filenames"]) == ("system", False), name
