from __future__ import annotations

import pytest

from pytest_venvlab import SpecError, VenvSpec


def test_defaults_are_an_isolated_symlinked_env_without_pip() -> None:
    spec = VenvSpec()
    assert (spec.creator, spec.python) == ("venv", "current")
    assert spec.symlinks
    assert not spec.system_site_packages
    assert not spec.pip
    assert spec.prompt is None
    assert spec.packages == ()


def test_spec_is_frozen_and_hashable() -> None:
    a = VenvSpec(creator="uv", packages=["x==1"])
    b = VenvSpec(creator="uv", packages=("x==1",))
    assert a == b
    assert hash(a) == hash(b)
    assert {a: 1}[b] == 1
    with pytest.raises(AttributeError):
        a.creator = "venv"  # type: ignore[misc]


def test_replace_checks_the_new_values() -> None:
    assert VenvSpec().replace(pip=True).pip is True
    with pytest.raises(SpecError, match="pip='yes'"):
        VenvSpec().replace(pip="yes")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"creator": ""}, "creator='' is not accepted; accepted: a creator name"),
        ({"creator": "cmd:python -m venv"}, "must contain '{python}'"),
        ({"python": 3.12}, "python=3.12 is not accepted"),
        ({"symlinks": 1}, "symlinks=1 is not accepted; accepted: True or False"),
        ({"system_site_packages": None}, "system_site_packages=None"),
        ({"prompt": "two\nlines"}, "one line of text"),
        ({"prompt": 5}, "a string or None"),
        ({"packages": "requests"}, "packages='requests' is not accepted; accepted: a list"),
        ({"packages": ["ok", ""]}, "packages entry '' is not accepted"),
    ],
)
def test_invalid_values_are_rejected_with_what_is_accepted(
    fields: dict[str, object], message: str
) -> None:
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        VenvSpec(**fields)  # type: ignore[arg-type]


def test_unknown_field_names_the_field_and_the_accepted_ones() -> None:
    with pytest.raises(SpecError) as info:
        VenvSpec.from_fields({"symlink": True}, where="@pytest.mark.venv")
    text = str(info.value)
    assert text.startswith("@pytest.mark.venv: unknown spec field 'symlink'")
    assert "symlinks" in text
    assert "system_site_packages" in text


def test_describe_is_a_short_label() -> None:
    spec = VenvSpec(creator="uv", python="3.12", symlinks=False, pip=True, prompt="p")
    assert spec.describe() == "uv py3.12 copies isolated pip prompt='p'"
