"""The README's "Reliability" tables stay honest: every test they name exists (ast, no import), every row names
a test or says why not, and the fault and soak tests are all listed."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(\[[^\]`]*\])?`")
TOPICS = ["Limits", "Security", "Fuzzing", "Load, soak and build generations", "Faults", "Operations"]
LISTED_IN_FULL = ["tests/test_soak.py", "tests/test_faults.py"]


def reliability_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Reliability\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def guarantee_rows() -> list[tuple[str, str]]:
    """(guarantee, test cell) of every row of the tables headed `| Guarantee | Test |`."""
    rows, in_table = [], False
    for line in reliability_section().splitlines():
        if line.startswith("| Guarantee | Test |"):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table and not line.startswith("|---"):
            guarantee, _, test = line.strip("| ").rpartition(" | ")
            rows.append((guarantee, test))
    return rows


def references() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for _, cell in guarantee_rows() for m in REFERENCE.finditer(cell)]


@cache
def functions_in(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))


def test_the_section_covers_every_topic() -> None:
    section = reliability_section()
    missing = [topic for topic in TOPICS if f"\n### {topic}\n" not in section]
    assert not missing, missing
    assert len(guarantee_rows()) >= 40


def test_every_row_names_a_test_or_says_why_not() -> None:
    bare = [g for g, cell in guarantee_rows() if not REFERENCE.search(cell) and not cell.startswith("— by inspection")]
    assert not bare, bare


@pytest.mark.parametrize(("path", "name"), sorted(set(references())))
def test_every_named_test_exists(path: str, name: str) -> None:
    assert (ROOT / path).is_file(), path
    assert name in functions_in(path), f"{path} has no function {name}"


@pytest.mark.parametrize("path", LISTED_IN_FULL)
def test_every_fault_and_soak_test_is_listed(path: str) -> None:
    named = {name for file, name in references() if file == path}
    tests = {name for name in functions_in(path) if name.startswith("test_")}
    assert tests <= named, tests - named
