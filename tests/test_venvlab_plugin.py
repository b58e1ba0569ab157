"""venvlab through the plugin, as a user's suite selects it: markers, options, xdist."""

from __future__ import annotations

import pytest


def test_user_suite_on_venvlab_under_xdist(pytester: pytest.Pytester) -> None:
    """Two workers, environments of two Pythons, all from the venvlab creator."""
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.venv(creator="venvlab")

        @pytest.mark.parametrize("python", ["3.8", "3.13"])
        def test_bare(venv_factory, python):
            env = venv_factory(python=python, creator="venvlab")
            assert env.cfg["version"].startswith(python)
            assert env.introspect().prefix == str(env.path)

        def test_default(venv):
            assert (venv.bin_dir / "activate.fish").is_file()
            assert (venv.path / "CACHEDIR.TAG").is_file()
        """
    )
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_option_selects_venvlab(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_it(venv):
            assert venv.spec.creator == "venvlab"
            assert (venv.bin_dir / "activate.nu").is_file()
        """
    )
    pytester.runpytest("--venv-creator", "venvlab", "-p", "no:cacheprovider").assert_outcomes(
        passed=1
    )
