"""Who a check binds: the rules that turn a failed check into ``failed`` or ``differs``."""

from __future__ import annotations

from typing import ClassVar

from pytest_venvlab import CreateRequest, Creator
from pytest_venvlab.conformance.requirements import REQUIREMENTS, Binding, binding_verdict


class Follower(Creator):
    follows_cpython: ClassVar[bool] = True
    documented_differences: ClassVar[dict[str, str]] = {
        "LAY-6": "always writes .gitignore",
        "ACT-3:dash": "no prompt under dash",
    }

    def version(self) -> str:
        return "1"

    def create(self, request: CreateRequest) -> None:
        raise NotImplementedError


class Other(Follower):
    follows_cpython: ClassVar[bool] = False


def test_pep_contract_and_security_bind_everyone() -> None:
    for binding in (Binding.PEP, Binding.CONTRACT, Binding.SECURITY):
        for creator in (Follower(), Other()):
            assert binding_verdict(binding, creator, "LAY-6") is None  # documented or not


def test_cpy_binds_followers_except_where_documented() -> None:
    follower = Follower()
    assert binding_verdict(Binding.CPY, follower, "CFG-5") is None
    assert "always writes .gitignore" in str(binding_verdict(Binding.CPY, follower, "LAY-6"))


def test_cpy_never_fails_a_creator_that_does_not_follow_cpython() -> None:
    verdict = binding_verdict(Binding.CPY, Other(), "CFG-5")
    assert verdict is not None
    assert "does not claim to follow CPython" in verdict


def test_shell_qualified_differences() -> None:
    follower = Follower()
    assert "no prompt under dash" in str(binding_verdict(Binding.CPY, follower, "ACT-3", "dash"))
    assert binding_verdict(Binding.CPY, follower, "ACT-3", "bash") is None
    assert binding_verdict(Binding.CPY, follower, "ACT-3") is None


def test_every_reference_section_is_covered() -> None:
    sections = {rid.split("-")[0] for rid in REQUIREMENTS}
    assert sections == {"CFG", "PFX", "SITE", "SCH", "LAY", "CLI", "ACT", "REL", "MRK"}
    assert len(REQUIREMENTS) == 58
