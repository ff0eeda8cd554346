"""Bad input raises a clear exception, leaves nothing behind, never crashes."""

import os
import random

import numpy
import pytest

import neardup
from conftest import listing

GOOD = ["a b c d e f", "a b c d e f!"]


@pytest.mark.parametrize("call", [
    lambda texts, ids: neardup.cluster(texts, ids),
    lambda texts, ids: neardup.passages(texts, ids),
])
class TestBadTexts:

    def test_none_in_texts(self, call):
        with pytest.raises(ValueError, match=r"texts\[1\] is None; every text "
                           r"must be a str \(or bytes holding UTF-8\)"):
            call(["fine", None], None)

    def test_bytes_that_are_not_utf8(self, call):
        with pytest.raises(ValueError, match=r"texts\[0\] is bytes that are "
                           r"not valid UTF-8 \(byte 3 starts an invalid "
                           r"sequence\); decode them first"):
            call([b"abc\xff def", "fine"], None)

    def test_a_lone_surrogate(self, call):
        with pytest.raises(ValueError, match=r"texts\[0\] holds a lone "
                           "surrogate"):
            call(["bad \udcff text", "fine"], None)

    def test_other_types(self, call):
        with pytest.raises(ValueError, match=r"texts\[1\] is a float"):
            call(["fine", 1.5], None)

    def test_ids_and_texts_of_different_lengths(self, call):
        with pytest.raises(ValueError, match="got 1 ids for 2 texts; give "
                           "exactly one id per text"):
            call(GOOD, ["only-one"])
        with pytest.raises(ValueError, match="got 3 ids for 2 texts"):
            call(GOOD, ["a", "b", "c"])

    def test_duplicate_ids(self, call):
        # The corpus loader's message, as for a JSON-lines input.
        with pytest.raises(ValueError, match=r'#1: duplicate id "x" \(first '
                           r"seen at #0\); ids must be unique"):
            call(GOOD, ["x", "x"])

    def test_bad_ids(self, call):
        with pytest.raises(ValueError, match=r"ids\[0\] is None; ids must be "
                           "str or int"):
            call(GOOD, [None, "b"])
        with pytest.raises(ValueError, match=r"ids\[1\] is bytes that are not "
                           "valid UTF-8"):
            call(GOOD, ["a", b"\xfe"])

    def test_a_single_string_is_not_a_list_of_texts(self, call):
        with pytest.raises(TypeError, match="texts must be a list"):
            call("a b c d e f", None)
        with pytest.raises(TypeError, match="texts must be a list"):
            call(42, None)


def test_bad_options_carry_the_librarys_messages():
    with pytest.raises(ValueError, match="^--threshold must be greater than 0 "
                       "and at most 1, got 0$"):
        neardup.cluster(GOOD, threshold=0)
    with pytest.raises(ValueError, match="^--containment must be between 0 "
                       r"\(off\) and 1, got 2$"):
        neardup.cluster(GOOD, containment=2)
    with pytest.raises(ValueError, match='unknown normalisation mode "bogus"'):
        neardup.cluster(GOOD, normalize="bogus")
    with pytest.raises(ValueError, match="--bands and --rows go together"):
        neardup.cluster(GOOD, bands=4)
    with pytest.raises(ValueError, match="^n-gram size must be between 1 and "
                       "64, got 65$"):
        neardup.cluster(GOOD, ngram=65)
    with pytest.raises(ValueError, match="--min-chars 600 is above "
                       "--max-chars 500"):
        neardup.passages(GOOD, min_chars=600)
    with pytest.raises(ValueError, match="--threshold must be greater"):
        neardup.Sketcher(threshold=1.5)


def test_option_messages_equal_the_clis(cli):
    """Where the CLI checks an option itself, it uses the library's words."""
    with pytest.raises(ValueError) as python:
        neardup.cluster(GOOD, seed=-1)
    result = cli("cluster", "-", "--seed", "-1", check=False, stdin="")
    assert str(python.value) in result.stderr
    assert str(python.value) == ("'-1' is not a seed: use a whole number "
                                 "from 0 to 18446744073709551615")
    with pytest.raises(ValueError) as python:
        neardup.cluster(GOOD, bands=4, rows=40)
    result = cli("cluster", "-", "--bands", "4", "--rows", "40", check=False,
                 stdin="")
    assert str(python.value) in result.stderr


def test_options_of_the_wrong_type_or_range():
    with pytest.raises(ValueError, match="--ngram must be a whole number, "
                       "got 2.5"):
        neardup.cluster(GOOD, ngram=2.5)
    with pytest.raises(ValueError, match="--ngram is out of range, got "
                       "1000000000000000000000"):
        neardup.cluster(GOOD, ngram=10**21)
    with pytest.raises(ValueError, match="--threshold must be a number, got "
                       "'high'"):
        neardup.cluster(GOOD, threshold="high")
    with pytest.raises(ValueError, match="--linkage must be a str"):
        neardup.cluster(GOOD, linkage=None)
    with pytest.raises(ValueError, match="--threads must be between 0 "
                       r"\(all cores\) and 4096, got 100000"):
        neardup.cluster(GOOD, threads=100000)
    with pytest.raises(ValueError, match="--threads must be 0"):
        neardup.Sketcher(threads=-1)
    with pytest.raises(ValueError, match="'1.5' is not a seed"):
        neardup.cluster(GOOD, seed=1.5)
    with pytest.raises(TypeError, match="unexpected keyword argument 'tresh'"):
        neardup.cluster(GOOD, tresh=0.5)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        neardup.Sketcher(containment=0.5)
    # numpy scalars are numbers like any other.
    assert neardup.cluster(GOOD, threshold=numpy.float64(0.5),
                           ngram=numpy.int64(5)).pairs


def test_nothing_is_written_for_bad_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for call in (lambda: neardup.cluster(["x", None]),
                 lambda: neardup.passages(["x"], ["a", "b"]),
                 lambda: neardup.cluster(GOOD, ["d", "d"])):
        with pytest.raises(ValueError):
            call()
    assert listing(tmp_path) == []


class TestIndexPaths:

    def test_an_index_path_that_is_a_file(self, tmp_path):
        path = tmp_path / "feed.idx"
        path.write_text("not an index\n")
        before = listing(tmp_path)
        with pytest.raises(OSError, match="feed.idx: is a file, not an index "
                           "directory"):
            neardup.Index(path)
        with pytest.raises(FileExistsError, match="feed.idx: exists and is "
                           "not a directory"):
            neardup.Index.create(path)
        assert listing(tmp_path) == before
        assert path.read_text() == "not an index\n"

    def test_a_missing_index(self, tmp_path):
        with pytest.raises(FileNotFoundError):
            neardup.Index(tmp_path / "missing")
        assert listing(tmp_path) == []

    def test_a_directory_that_is_not_an_index(self, tmp_path):
        (tmp_path / "other").mkdir()
        (tmp_path / "other" / "file.txt").write_text("x")
        with pytest.raises(FileExistsError, match="directory is not empty"):
            neardup.Index.create(tmp_path / "other")
        with pytest.raises(OSError):
            neardup.Index(tmp_path / "other")
        assert listing(tmp_path) == [("other", -1), ("other/file.txt", 1)]

    def test_paths_with_a_nul_or_undecodable_bytes(self, tmp_path):
        with pytest.raises(ValueError, match="embedded null byte"):
            neardup.Index.create(str(tmp_path / "a\0b"))
        assert listing(tmp_path) == []
        odd = os.fsdecode(bytes(tmp_path) + b"/caf\xe9.idx")
        with neardup.Index.create(odd) as index:
            index.add(["text"], ["x"])
        assert (bytes(tmp_path) + b"/caf\xe9.idx") in [
            os.fsencode(p) for p in tmp_path.iterdir()]
        assert len(neardup.Index(odd)) == 1

    def test_bad_create_options_create_nothing(self, tmp_path):
        with pytest.raises(ValueError, match="--num-perm must be between 1 "
                           "and 4096, got 0"):
            neardup.Index.create(tmp_path / "new.idx", num_perm=0)
        with pytest.raises(ValueError, match="--containment must be between "
                           "0 \\(off\\) and 1, got 1.5"):
            neardup.Index.create(tmp_path / "new.idx", containment=1.5)
        with pytest.raises(TypeError, match="unexpected keyword argument "
                           "'linkage'"):
            neardup.Index.create(tmp_path / "new.idx", linkage="single")
        assert listing(tmp_path) == []


class TestIndexBatches:
    """A batch with bad input adds nothing: no decision, no byte on disk."""

    @pytest.fixture
    def index(self, tmp_path):
        with neardup.Index.create(tmp_path / "feed.idx") as index:
            index.add(["the first story, already indexed"], ["old"])
            yield index

    def check_unchanged(self, index, before):
        assert len(index) == 1
        assert listing(index.path) == before

    @pytest.mark.parametrize("texts, ids, message", [
        (["fine", None], ["a", "b"], r"texts\[1\] is None"),
        ([b"\xc3(", "fine"], ["a", "b"], "not valid UTF-8"),
        (["one", "two"], ["a"], "got 1 ids for 2 texts"),
        (["one", "two"], ["a", "a"], "duplicate id"),
        (["one", "two"], ["a", ""], "#1: document ids must be 1 to 65535 "
         "bytes, got 0"),
        (["one", "another text"], ["a", "old"], '#1: .*"old"'),
    ])
    def test_add(self, index, texts, ids, message):
        before = listing(index.path)
        with pytest.raises(ValueError, match=message):
            index.add(texts, ids)
        self.check_unchanged(index, before)

    def test_query_and_remove(self, index):
        before = listing(index.path)
        with pytest.raises(ValueError, match=r"texts\[0\] is None"):
            index.query([None], ["x"])
        with pytest.raises(ValueError, match=r'ids\[1\]: id "nope" is not in '
                           "the index; nothing was removed"):
            index.remove(["old", "nope"])
        self.check_unchanged(index, before)
        with pytest.raises(ValueError, match="ids is None"):
            index.add(["text"], None)

    def test_a_closed_index(self, index):
        index.close()
        index.close()
        with pytest.raises(ValueError, match="I/O operation on closed index"):
            index.add(["text"], ["new"])
        with pytest.raises(ValueError, match="closed"):
            len(index)

    def test_writing_to_a_read_only_index(self, index):
        path = index.path
        index.close()
        with neardup.Index(path, read_only=True) as ro:
            before = listing(path)
            with pytest.raises(OSError):
                ro.add(["text"], ["new"])
            assert listing(path) == before


def test_random_garbage_never_crashes():
    """Whatever goes in, only exceptions come out."""
    rng = random.Random(7)
    atoms = [None, 0, -1, 2**70, 1.5, float("nan"), "", "text", b"\xff",
             b"ok", [], {}, object(), "\udc80", True, numpy.zeros(3)]
    sketcher = neardup.Sketcher(num_perm=16)
    for _ in range(300):
        texts = [rng.choice(atoms) for _ in range(rng.randint(0, 3))]
        ids = rng.choice([None, [rng.choice(atoms) for _ in texts]])
        option = rng.choice(["threshold", "ngram", "num_perm", "normalize",
                             "seed", "bands", "threads", "keep"])
        try:
            neardup.cluster(texts, ids, **{option: rng.choice(atoms)})
        except (ValueError, TypeError):
            pass
        try:
            sketcher.band_keys(rng.choice(
                [numpy.zeros((2, 16), numpy.uint32),
                 numpy.zeros((2, 15), numpy.uint32),
                 numpy.zeros((2, 16), numpy.float64),
                 numpy.zeros((2, 2, 16), numpy.uint32),
                 numpy.zeros(16, numpy.uint32)[::2], "x", None]))
        except (ValueError, TypeError):
            pass
