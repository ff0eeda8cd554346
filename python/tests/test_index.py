"""neardup.Index: create, add, query, remove and stats, as `neardup index`."""

import json

import pytest

import neardup
from conftest import SAMPLE_NEWS, listing


def decisions_of(output):
    return [json.loads(line) for line in output.splitlines() if line]


def test_round_trip(tmp_path):
    path = tmp_path / "news.idx"
    with neardup.Index.create(path, threshold=0.8) as index:
        assert len(index) == 0
        assert index.options["threshold"] == 0.8
        first = index.add(["a b c d e f g h", "something else entirely"],
                          ["one", "two"])
        assert [d["status"] for d in first] == ["new", "new"]
        assert first[0] == {"id": "one", "status": "new", "cluster": "one",
                            "matches": []}
        query = index.query(["a b c d e f g h!"], ["three"])
        assert query[0]["status"] == "duplicate"
        assert query[0]["cluster"] == "one"
        assert query[0]["matches"][0]["id"] == "one"
        assert isinstance(query[0]["matches"][0]["jaccard"], float)
        assert len(index) == 2 and "three" not in index
        added = index.add(["a b c d e f g h!"], ["three"])
        assert added == query
        assert "three" in index and index.cluster_of("three") == "one"
        assert index.cluster_of("nope") is None
        # The same id and text again: "exists", nothing changes.
        again = index.add(["a b c d e f g h!"], ["three"])
        assert again[0]["status"] == "exists"
        stats = index.stats()
        assert stats["documents"] == 3
        assert stats["clusters_of_two_or_more"] == 1
        assert stats["directory"] == str(path)
        assert stats["parameters"]["threshold"] == 0.8
        assert index.remove(["three", "three"]) == 1
        assert len(index) == 2 and "three" not in index
        index.verify()
        index.compact()
        assert index.stats()["snapshot_bytes"] > 0
    assert index.closed
    # Reopened: the state survived, and a read-only open sees it too.
    with neardup.Index(path, read_only=True) as ro:
        assert ro.read_only and len(ro) == 2
        assert ro.query(["a b c d e f g h!"], ["three"]) == query
    assert "read-only" not in repr(neardup.Index(path))


def test_equals_the_cli(cli, tmp_path, sample_news):
    texts, ids = sample_news
    cli_dir, py_dir = tmp_path / "cli.idx", tmp_path / "py.idx"
    cli("index", "create", cli_dir, "--threshold", "0.7", "-q")
    added = cli("index", "add", cli_dir, SAMPLE_NEWS, "-q").stdout
    with neardup.Index.create(py_dir, threshold=0.7) as index:
        assert index.add(texts, ids) == decisions_of(added)
        assert any(d["status"] == "duplicate" for d in decisions_of(added))
        # A second feed against the same documents: every one "exists".
        queried = cli("index", "query", cli_dir, SAMPLE_NEWS, "-q").stdout
        assert index.query(texts, ids) == decisions_of(queried)
        cli_stats = json.loads(cli("index", "stats", cli_dir).stdout)
        py_stats = index.stats()
        assert py_stats.pop("directory") == str(py_dir)
        assert cli_stats.pop("directory") == str(cli_dir)
        assert py_stats == cli_stats
        (tmp_path / "ids.txt").write_text("sample-002\nsample-023\n")
        cli("index", "remove", cli_dir, "--ids", tmp_path / "ids.txt", "-q")
        assert index.remove(["sample-002", "sample-023"]) == 2
        stats = index.stats()
        stats.pop("directory")
        cli_stats = json.loads(cli("index", "stats", cli_dir).stdout)
        cli_stats.pop("directory")
        assert stats == cli_stats
        # max_matches trims the lists as --max-matches does.
        trimmed = cli("index", "query", cli_dir, SAMPLE_NEWS, "-q",
                      "--max-matches", "1").stdout
        assert index.query(texts, ids, max_matches=1) == decisions_of(trimmed)


def test_equals_neardup_stream(cli, tmp_path, sample_news):
    texts, ids = sample_news
    cli("index", "create", tmp_path / "cli.idx", "-q")
    streamed = cli("stream", tmp_path / "cli.idx", "-q",
                   stdin=SAMPLE_NEWS.read_text(encoding="utf-8")).stdout
    with neardup.Index.create(tmp_path / "py.idx") as index:
        assert index.add(texts, ids) == decisions_of(streamed)


def test_a_writer_holds_the_lock(tmp_path):
    path = tmp_path / "one.idx"
    with neardup.Index.create(path):
        with pytest.raises(OSError, match="lock"):
            neardup.Index(path)
    # Closed: the lock is released.
    neardup.Index(path).close()


def test_threads_do_not_change_decisions(tmp_path, sample_news):
    texts, ids = sample_news
    with neardup.Index.create(tmp_path / "a.idx") as a, \
            neardup.Index.create(tmp_path / "b.idx") as b:
        assert a.add(texts, ids, threads=1) == b.add(texts, ids, threads=2)


def test_compaction_by_size(tmp_path, sample_news):
    texts, ids = sample_news
    with neardup.Index.create(tmp_path / "c.idx") as index:
        index.add(texts, ids, compact_at_mb=1e-6)
        stats = index.stats()
        assert stats["snapshot_bytes"] > 0 and stats["log_bytes"] < 100


def test_decisions_to_pandas(tmp_path):
    with neardup.Index.create(tmp_path / "d.idx") as index:
        decisions = index.add(["a b c d e f g h", "a b c d e f g h"],
                              ["x", "y"])
    frame = neardup.to_pandas(decisions)
    assert list(frame.columns) == ["id", "status", "cluster", "matches",
                                   "merged"]
    assert frame["status"].tolist() == ["new", "duplicate"]


def test_nothing_is_left_when_create_fails_on_options(tmp_path):
    with pytest.raises(ValueError):
        neardup.Index.create(tmp_path / "x.idx", threshold=2)
    assert listing(tmp_path) == []


def _pairs_of(decisions):
    return sorted(tuple(sorted((d["id"], m["id"])))
                  for d in decisions for m in d.get("matches", []))


def test_boilerplate_as_cluster(tmp_path, sample_news):
    """With boilerplate_df, an index scores and links every pair as
    neardup.cluster does over the same documents in the same order."""
    texts, ids = sample_news
    formula = ("The ministry announced today the following figures for the "
               "day and asked citizens to follow the guidance of the "
               "authorities in every region. ")
    notices = [formula + f"Item {i}: rain in district {i}." for i in range(8)]
    texts = notices[:4] + texts + notices[4:]
    ids = [f"notice-{i}" for i in range(4)] + ids + [
        f"notice-{i}" for i in range(4, 8)]
    for min_weighted in (0.0, 0.3):
        options = {"threshold": 0.5, "boilerplate_df": 3,
                   "min_weighted_jaccard": min_weighted}
        path = tmp_path / f"b{min_weighted}.idx"
        with neardup.Index.create(path, **options) as index:
            assert index.options["boilerplate_df"] == 3
            assert index.options["min_weighted_jaccard"] == min_weighted
            assert index.stats()["format_version"] == 4
            added = index.add(texts, ids, max_matches=1000)
        batch = neardup.cluster(texts, ids, linkage="single", **options)
        assert _pairs_of(added) == sorted(
            tuple(sorted((p["a"], p["b"]))) for p in batch.pairs)
        weighted = {tuple(sorted((d["id"], m["id"]))): m["weighted_jaccard"]
                    for d in added for m in d["matches"]}
        for p in batch.pairs:
            assert weighted[tuple(sorted((p["a"], p["b"])))] == pytest.approx(
                p["weighted_jaccard"], abs=1e-4)
        # The formula is boilerplate from its fourth notice on.
        late = [w for (a, b), w in weighted.items()
                if a.startswith("notice-") and b.startswith("notice-")
                and max(a, b) >= "notice-4"]
        if min_weighted == 0:
            assert late and max(late) < 0.3
        else:
            assert not late
    with pytest.raises(ValueError, match="--boilerplate-df"):
        neardup.Index.create(tmp_path / "bad.idx", min_weighted_jaccard=0.2)
    assert neardup.defaults("index")["boilerplate_df"] == 0


def test_containment_as_cluster(tmp_path, sample_news):
    """An index links by containment as neardup.cluster does at the same
    options; with containment=0 it is a format-1 index of Jaccard links."""
    texts, ids = sample_news
    # A lead, and a lead with a different ending: contained, not similar.
    texts = texts + [texts[0][: len(texts[0]) // 3],
                     texts[1][: len(texts[1]) // 2] + " Editing by Desk."]
    ids = ids + ["lead-0", "lead-1"]
    for containment in (0.8, 0.0):
        path = tmp_path / f"c{containment}.idx"
        options = {} if containment else {"containment": 0}
        with neardup.Index.create(path, **options) as index:
            assert index.options["containment"] == containment
            assert index.stats()["format_version"] == (3 if containment
                                                       else 1)
            added = index.add(texts, ids, max_matches=1000)
        batch = neardup.cluster(texts, ids, threshold=0.8,
                                containment=containment, linkage="single")
        assert _pairs_of(added) == sorted(
            tuple(sorted((p["a"], p["b"]))) for p in batch.pairs)
        linked = {i for pair in _pairs_of(added) for i in pair}
        assert ("lead-0" in linked) == (containment > 0)
        assert ("lead-1" in linked) == (containment > 0)
        # A match below the threshold is marked as cluster marks its pairs.
        for decision in added:
            for match in decision["matches"]:
                below = match["jaccard"] < 0.8
                assert (match.get("link") == "containment") == below
                assert below <= (containment > 0)
