"""The fixtures as a user's suite uses them: specs from markers, shared and private envs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import WheelFactory


def test_venv_spec_merges_markers_closest_first(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.venv(pip=True, prompt="module")

        @pytest.mark.venv(symlinks=False, prompt="class")
        class TestGroup:
            @pytest.mark.venv(prompt="function")
            def test_all_three(self, venv_spec):
                assert venv_spec.pip is True
                assert venv_spec.symlinks is False
                assert venv_spec.prompt == "function"

            def test_class_and_module(self, venv_spec):
                assert (venv_spec.symlinks, venv_spec.prompt) == (False, "class")

        def test_module_only(venv_spec):
            assert (venv_spec.pip, venv_spec.symlinks, venv_spec.prompt) == (True, True, "module")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_venv_spec_defaults_come_from_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nvenv_creator = virtualenv\nvenv_python = 3.11\n")
    pytester.makepyfile(
        """
        def test_defaults(venv_spec):
            assert (venv_spec.creator, venv_spec.python) == ("virtualenv", "3.11")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_bad_marker_fails_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.venv(pyhton="3.12")
        def test_typo(venv):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown spec field 'pyhton'; accepted: creator, python*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_unsupported_spec_skips_and_strict_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)  # CI turns strict mode on
    pytester.makepyfile(
        """
        def test_missing_python(venv_factory):
            venv_factory(python="2.7")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "-rs").assert_outcomes(skipped=1)
    result = pytester.runpytest("-p", "no:cacheprovider", "--venv-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*strict mode*"])


def test_shared_is_built_once_and_private_copies_are_separate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        seen = {}

        @pytest.mark.parametrize("i", range(4))
        def test_shared(venv_factory, i):
            env = venv_factory()
            seen.setdefault("shared", env.path)
            assert env.path == seen["shared"]
            out = env.run(["python", "-c", "import sys; print(sys.prefix)"]).stdout.strip()
            assert out == str(env.path)

        @pytest.mark.parametrize("i", range(3))
        def test_private(venv, venv_factory, i):
            assert venv.path != venv_factory().path
            other = venv_factory(private=True)
            assert other.path != venv.path
            out = venv.run(["python", "-c", "import sys; print(sys.prefix)"]).stdout.strip()
            assert out == str(venv.path)
            assert str(venv.path) in (venv.bin_dir / "activate").read_text()
            seen.setdefault("private", []).extend([venv.path, other.path])
            with open("private_root.txt", "w") as f:
                f.write(str(venv.path.parent.parent))

        def test_copies_given_back_are_handed_out_again():
            assert len(set(seen["private"])) == 2  # six copies handed out, two made
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(
        [
            "venvlab: 1 built, 12 reused, 6 private in *s",
            "venvlab: built venv pycurrent symlinks isolated nopip in *s",
        ]
    )
    # Private copies are gone when the session is over.
    private_root = Path((pytester.path / "private_root.txt").read_text())
    assert private_root.is_dir()
    assert not list(private_root.glob("copy-*"))


def test_private_pip_install_stays_in_the_copy(
    pytester: pytest.Pytester, wheel_factory: WheelFactory
) -> None:
    wheel = wheel_factory("venvlab_probe", console_scripts={"probe": "venvlab_probe:main"})
    pytester.makepyfile(
        textwrap.dedent(
            f"""
            import os
            from pytest_venvlab.cache import fingerprint

            WHEEL = {str(wheel)!r}

            def files(root):
                for directory, dirs, names in os.walk(root):
                    for name in names + dirs:
                        yield os.path.join(directory, name)

            def test_install_into_copy(venv_factory):
                # venvlab builds an env with pip in a fraction of a second; the copy does not
                # depend on the creator.
                shared = venv_factory(creator="venvlab", pip=True)
                before = fingerprint(shared.path)
                copy = venv_factory(creator="venvlab", pip=True, private=True)

                pip = copy.bin_dir / "pip"
                assert pip.read_text().startswith(f"#!{{copy.bin_dir}}/python")
                assert str(shared.path) not in (copy.bin_dir / "activate").read_text()
                copy.run([pip, "install", "--no-index", "--quiet", WHEEL])

                assert copy.run(["probe"]).stdout.strip() == "probe ok"
                assert (copy.bin_dir / "probe").read_text().startswith(f"#!{{copy.bin_dir}}/")
                assert list(copy.site_packages.glob("venvlab_probe*"))
                assert not list(shared.site_packages.glob("venvlab_probe*"))
                assert not (shared.bin_dir / "probe").exists()
                assert fingerprint(shared.path) == before

                shared_inodes = {{
                    (st.st_dev, st.st_ino)
                    for st in map(os.lstat, files(shared.path))
                }}
                for path in files(copy.path):
                    st = os.lstat(path)
                    assert (st.st_dev, st.st_ino) not in shared_inodes, path
                    if os.path.islink(path):
                        target = os.path.realpath(path)
                        assert not target.startswith(str(shared.path) + os.sep), path
            """
        )
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["venvlab: 1 built, 1 reused, 1 private in *s"])


def test_factory_is_exported() -> None:
    from pytest_venvlab import VenvFactory

    assert callable(VenvFactory)


def test_a_copy_given_back_is_pristine_when_handed_out_again(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os
        import stat

        paths = []

        def snapshot(root, own):
            found = {}
            for directory, dirs, names in os.walk(root):
                for name in dirs + names:
                    path = os.path.join(directory, name)
                    rel = os.path.relpath(path, root)
                    info = os.lstat(path)
                    if stat.S_ISLNK(info.st_mode):
                        found[rel] = ("l", os.readlink(path).replace(str(root), "ROOT"))
                    elif stat.S_ISDIR(info.st_mode):
                        found[rel] = ("d", stat.S_IMODE(info.st_mode))
                    else:
                        with open(path, "rb") as f:
                            data = f.read().replace(os.fsencode(root), b"ROOT")
                        found[rel] = ("f", stat.S_IMODE(info.st_mode), data)
            return found

        def test_vandalise(venv):
            paths.append(venv.path)
            venv.run(["python", "-c", "import json, email.parser"])
            (venv.site_packages / "added.py").write_text("x = 1\\n")
            (venv.site_packages / "newdir" / "deep").mkdir(parents=True)
            (venv.bin_dir / "activate").unlink()
            (venv.bin_dir / "activate.fish").chmod(0o600)
            cfg = venv.path / "pyvenv.cfg"
            with open(cfg, "r+") as f:  # same size, edited in place
                text = f.read()
                f.seek(0)
                f.write(text.replace("false", "FALSE"))
            (venv.path / "include").rename(venv.path / "include-moved")
            lib64 = venv.path / "lib64"
            if lib64.is_symlink():  # a link replaced by a directory
                lib64.unlink()
                lib64.mkdir()
            scripts = venv.bin_dir
            (scripts / "python").unlink()  # a link to the base interpreter, removed

        def test_gets_it_back_clean(venv, venv_factory):
            assert venv.path == paths[0]  # the same copy, reset
            assert snapshot(venv.path, venv.path) == snapshot(venv_factory().path, None)
            out = venv.run(["python", "-c", "import sys; print(sys.prefix)"]).stdout.strip()
            assert out == str(venv.path)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["venvlab: 1 built, 2 reused, 2 private in *s"])


def test_private_copy_activates_as_itself(pytester: pytest.Pytester) -> None:
    """CPython's activate shows the env's directory name: a copy must keep it (ACT-1..3)."""
    pytester.makepyfile(
        """
        from pytest_venvlab import assert_activation

        def test_copy(venv, venv_factory):
            shared = venv_factory()
            assert venv.path != shared.path
            assert venv.path.name == shared.path.name
            assert_activation(venv, shell="bash")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
