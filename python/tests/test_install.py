"""`cmake --install` puts a working package where the interpreter looks."""

import os
import pathlib
import shutil
import site
import subprocess
import sys

import pytest

from conftest import BINARY_DIR

PREFIX = os.environ.get("NEARDUP_INSTALL_PREFIX")
PACKAGE_DIR = os.environ.get("NEARDUP_PYTHON_INSTALL_DIR")
needs_build_info = pytest.mark.skipif(
    PREFIX is None or PACKAGE_DIR is None or shutil.which("cmake") is None,
    reason="run by ctest, which names the install prefix and package dir")


def site_dir():
    return pathlib.Path(PREFIX) / PACKAGE_DIR


@needs_build_info
def test_the_package_dir_is_on_the_interpreters_path():
    if os.path.normpath(PREFIX) not in ("/usr", "/usr/local"):
        pytest.skip(f"prefix {PREFIX} is not one the interpreter searches")
    assert str(site_dir()) in site.getsitepackages()


@needs_build_info
def test_installed_package_imports_from_any_directory(tmp_path):
    root = tmp_path / "root"
    # DESTDIR keeps the install inside tmp_path whatever the prefix is.
    subprocess.run(["cmake", "--install", str(BINARY_DIR), "--component",
                    "python"], check=True, capture_output=True,
                   env={**os.environ, "DESTDIR": str(root)})
    installed = pathlib.Path(str(root) + str(site_dir().absolute()))
    names = sorted(p.name for p in (installed / "neardup").iterdir())
    extension = [n for n in names if n.endswith(".so")]
    assert len(extension) == 1 and extension[0].startswith("_neardup.")
    assert [n for n in names if n not in extension] == [
        "__init__.py", "__init__.pyi", "_neardup.pyi", "dask.py", "py.typed"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(installed)
    result = subprocess.run(
        [sys.executable, "-c",
         "import neardup; print(neardup.__file__); "
         "print(neardup.cluster(['a b c d e f', 'a b c d e f!']))"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    where, printed = result.stdout.splitlines()
    assert where.startswith(str(installed))
    assert "'jaccard': 0.875" in printed
