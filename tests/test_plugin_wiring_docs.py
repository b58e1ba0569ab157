"""The test examples in the README and the tutorial run, as written, and pass."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


def _rst_examples(page: str) -> list[str]:
    blocks = []
    lines = (ROOT / "docs" / page).read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.strip() != ".. code-block:: python":
            continue
        body = []
        for following in lines[i + 1 :]:
            if following.strip() and not following.startswith("   "):
                break
            body.append(following)
        blocks.append(textwrap.dedent("\n".join(body)).strip() + "\n")
    return blocks


@pytest.mark.parametrize(
    "examples",
    [
        pytest.param(_readme_examples, id="README.md"),
        pytest.param(lambda: _rst_examples("tutorial.rst"), id="tutorial"),
    ],
)
def test_examples_pass(pytester: pytest.Pytester, examples: Callable[[], list[str]]) -> None:
    blocks = [block for block in examples() if "def test_" in block]
    assert blocks
    for number, block in enumerate(blocks):
        pytester.makepyfile(**{f"test_example_{number}": block})
    expected = sum(block.count("\ndef test_") + block.startswith("def test_") for block in blocks)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=expected)
    result.stdout.re_match_lines([r"venvlab: \d+ built, \d+ reused, \d+ private in \d+\.\ds"])
