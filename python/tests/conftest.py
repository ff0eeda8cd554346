"""Shared fixtures: where the sources, the build and the neardup CLI are.

ctest passes them in the environment (python/CMakeLists.txt); run by hand,
the defaults assume the build directory build/py:

    PYTHONPATH=build/py/python /usr/bin/python3 -m pytest python/tests
"""

import json
import os
import pathlib
import subprocess

import pytest

SOURCE_DIR = pathlib.Path(
    os.environ.get("NEARDUP_SOURCE_DIR",
                   pathlib.Path(__file__).resolve().parents[2]))
BINARY_DIR = pathlib.Path(
    os.environ.get("NEARDUP_BINARY_DIR", SOURCE_DIR / "build" / "py"))
CLI = pathlib.Path(os.environ.get("NEARDUP_CLI",
                                  BINARY_DIR / "tools" / "neardup"))
DATA = SOURCE_DIR / "tests" / "data"
SAMPLE_NEWS = DATA / "sample-news.jsonl"


def read_jsonl(path):
    """The records of a JSON-lines file, in order."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_corpus(path):
    """(texts, ids) of a JSON-lines corpus, ids as the CLI reads them."""
    records = read_jsonl(path)
    return [r["text"] for r in records], [str(r["id"]) for r in records]


@pytest.fixture
def cli():
    """Runs the neardup command line; returns the CompletedProcess."""
    if not CLI.exists():
        pytest.skip(f"the neardup CLI is not built at {CLI}")

    def run(*args, check=True, stdin=None):
        result = subprocess.run([str(CLI), *map(str, args)], input=stdin,
                                capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(
                f"neardup {' '.join(map(str, args))} failed "
                f"({result.returncode}): {result.stderr}")
        return result

    return run


@pytest.fixture(scope="session")
def sample_news():
    """(texts, ids) of tests/data/sample-news.jsonl."""
    return load_corpus(SAMPLE_NEWS)


def cli_flags(options):
    """Python keyword options as the CLI's flags (True: a bare flag)."""
    flags = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            flags.append(flag)
        elif value is not False:
            flags += [flag, str(value)]
    return flags


def listing(directory):
    """Every path below `directory` with its size, to show nothing changed."""
    directory = pathlib.Path(directory)
    return sorted((str(p.relative_to(directory)),
                   p.stat().st_size if p.is_file() else -1)
                  for p in directory.rglob("*"))
