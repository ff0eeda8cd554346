"""neardup.cluster() gives what `neardup cluster` writes."""

import shutil
import subprocess

import numpy
import pytest

import neardup
from conftest import SAMPLE_NEWS, SOURCE_DIR, cli_flags, load_corpus, read_jsonl

SAUDINEWSNET = (SOURCE_DIR / ".." / "shared" / "data" /
                "saudinewsnet-dev.jsonl.zst").resolve()


def run_cli_cluster(cli, tmp_path, input_path, options):
    clusters, pairs, dedup = (tmp_path / "clusters.jsonl",
                              tmp_path / "pairs.jsonl",
                              tmp_path / "dedup.jsonl")
    cli("cluster", input_path, "-q", "--clusters", clusters, "--pairs", pairs,
        "--dedup", dedup, *cli_flags(options))
    return (read_jsonl(clusters), read_jsonl(pairs),
            [str(r["id"]) for r in read_jsonl(dedup)])


def assert_same_as_cli(result, cli_result, ids):
    clusters, pairs, kept = cli_result
    assert result["clusters"] == clusters
    assert result["pairs"] == pairs
    assert [i for i, u in zip(ids, result["unique"]) if u] == kept


def test_the_readme_example():
    result = neardup.cluster(["a b c d e f", "a b c d e f!"])
    assert result.clusters == [{
        "cluster": "0", "size": 2,
        "members": [{"id": "0", "jaccard": 1.0, "containment": 1.0},
                    {"id": "1", "jaccard": 0.875, "containment": 1.0}]}]
    assert result.pairs == [
        {"a": "0", "b": "1", "jaccard": 0.875, "containment": 1.0}]
    assert result.unique == [True, False]
    assert result.stats["documents"] == 2
    assert isinstance(result, dict)


def test_equals_the_cli_on_sample_news_at_the_defaults(cli, tmp_path,
                                                       sample_news):
    texts, ids = sample_news
    result = neardup.cluster(texts, ids)
    assert result.clusters, "the sample holds reprinted stories"
    assert_same_as_cli(result,
                       run_cli_cluster(cli, tmp_path, SAMPLE_NEWS, {}), ids)


@pytest.mark.parametrize("options", [
    {"threshold": 0.8, "containment": 0},
    {"linkage": "single", "keep": "longest"},
    {"normalize": "ws", "ngram": 3, "algorithm": "classic", "num_perm": 64},
    {"threshold": 0.7, "bands": 16, "rows": 6, "seed": 12345},
    {"normalize": "none", "containment": 0.5, "threads": 1},
    {"boilerplate_df": 3, "min_weighted_jaccard": 0.3},
    {"boilerplate_df": 3, "min_weighted_jaccard": 0.3,
     "boilerplate_whole_corpus": True},
])
def test_equals_the_cli_on_sample_news_with_options(cli, tmp_path,
                                                    sample_news, options):
    texts, ids = sample_news
    result = neardup.cluster(texts, ids, **options)
    assert_same_as_cli(
        result, run_cli_cluster(cli, tmp_path, SAMPLE_NEWS, options), ids)


@pytest.mark.skipif(not SAUDINEWSNET.exists(),
                    reason=f"{SAUDINEWSNET} is not present")
@pytest.mark.skipif(shutil.which("zstd") is None, reason="needs zstd")
def test_equals_the_cli_on_saudinewsnet_dev_at_the_defaults(cli, tmp_path):
    plain = tmp_path / "saudinewsnet-dev.jsonl"
    with open(plain, "wb") as out:
        subprocess.run(["zstd", "-dc", str(SAUDINEWSNET)], stdout=out,
                       check=True)
    texts, ids = load_corpus(plain)
    result = neardup.cluster(texts, ids)
    assert len(result.unique) == len(texts) > 10000
    assert len(result.pairs) > 1000
    # The CLI reads the compressed file itself.
    assert_same_as_cli(result,
                       run_cli_cluster(cli, tmp_path, SAUDINEWSNET, {}), ids)


def test_ids_default_to_positions_and_integers_read_as_decimal():
    texts = ["a b c d e f", "unrelated text here", "a b c d e f!"]
    assert neardup.cluster(texts).pairs[0]["b"] == "2"
    result = neardup.cluster(texts, [10, 20, 30])
    assert result.pairs[0]["a"] == "10" and result.pairs[0]["b"] == "30"
    named = neardup.cluster(texts, ["x", b"y", "z"])
    assert named.clusters[0]["cluster"] == "x"
    # A pandas column of integer ids.
    assert neardup.cluster(texts, numpy.array([10, 20, 30])) == result


def test_bytes_texts_and_generators_are_accepted():
    texts = ["a b c d e f", "a b c d e f!"]
    expected = neardup.cluster(texts)
    assert neardup.cluster([t.encode() for t in texts]) == expected
    assert neardup.cluster(t for t in texts) == expected
    assert neardup.cluster(tuple(texts), iter(["0", "1"])) == expected


def test_the_thread_count_does_not_change_the_result(sample_news):
    texts, ids = sample_news
    assert neardup.cluster(texts, ids, threads=1) == neardup.cluster(
        texts, ids, threads=2)


def test_empty_and_tiny_inputs():
    empty = neardup.cluster([])
    assert (empty.clusters, empty.pairs, empty.unique) == ([], [], [])
    assert neardup.cluster(["", ""]).pairs == []
    assert neardup.cluster(["only one"]).unique == [True]


def test_similarities_are_floats(sample_news):
    texts, ids = sample_news
    result = neardup.cluster(texts, ids)
    for c in result.clusters:
        for m in c["members"]:
            assert type(m["jaccard"]) is float
            assert type(m["containment"]) is float
    for p in result.pairs:
        assert type(p["jaccard"]) is float


def test_boilerplate_scores_and_links(sample_news):
    texts, ids = sample_news
    plain = neardup.cluster(texts, ids)
    scored = neardup.cluster(texts, ids, boilerplate_df=3)
    # The same pairs, each with its Jaccard without boilerplate shingles,
    # which can only be lower where the pair shares boilerplate.
    assert [(p["a"], p["b"]) for p in scored.pairs] == \
        [(p["a"], p["b"]) for p in plain.pairs]
    assert all(type(p["weighted_jaccard"]) is float for p in scored.pairs)
    assert "weighted_jaccard" not in plain.pairs[0]
    strict = neardup.cluster(texts, ids, boilerplate_df=3,
                             min_weighted_jaccard=0.9)
    assert len(strict.pairs) == sum(
        p["weighted_jaccard"] >= 0.9 for p in scored.pairs)
    assert len(strict.pairs) < len(scored.pairs)
    with pytest.raises(ValueError, match="--min-weighted-jaccard needs "
                                         "--boilerplate-df"):
        neardup.cluster(texts, ids, min_weighted_jaccard=0.5)
    with pytest.raises(ValueError, match="--boilerplate-df"):
        neardup.cluster(texts, ids, boilerplate_df=-1)
    assert neardup.defaults("cluster")["boilerplate_df"] == 0
    # Counted over every text, the same pairs are scored otherwise.
    assert neardup.defaults("cluster")["boilerplate_whole_corpus"] is False
    whole = neardup.cluster(texts, ids, boilerplate_df=3,
                            boilerplate_whole_corpus=True)
    assert [(p["a"], p["b"]) for p in whole.pairs] == \
        [(p["a"], p["b"]) for p in plain.pairs]
    assert [p["weighted_jaccard"] for p in whole.pairs] != \
        [p["weighted_jaccard"] for p in scored.pairs]
    with pytest.raises(ValueError, match="--boilerplate-whole-corpus needs"):
        neardup.cluster(texts, ids, boilerplate_whole_corpus=True)
    with pytest.raises(ValueError, match="True or False"):
        neardup.cluster(texts, ids, boilerplate_df=3,
                        boilerplate_whole_corpus=1)


def test_defaults_are_the_libraries():
    d = neardup.defaults("cluster")
    assert d["threshold"] == 0.5 and d["containment"] == 0.8
    assert d["linkage"] == "center" and d["normalize"] == "full"
    assert d["seed"] == 0x6e65617264757031
    assert neardup.defaults("passages")["threshold"] == 0.8
    assert neardup.defaults("index")["threshold"] == 0.8


def test_to_pandas(sample_news):
    texts, ids = sample_news
    result = neardup.cluster(texts, ids)
    members = result.to_pandas()
    assert list(members.columns) == ["cluster", "size", "id", "jaccard",
                                     "containment"]
    assert len(members) == sum(c["size"] for c in result.clusters)
    assert set(members["cluster"]) == {c["cluster"] for c in result.clusters}
    pairs = result.to_pandas("pairs")
    assert list(pairs.columns) == ["a", "b", "jaccard", "containment", "link"]
    assert len(pairs) == len(result.pairs)
    assert set(pairs["link"]) <= {"jaccard", "containment"}
    per_cluster = result.to_pandas("clusters")
    assert per_cluster["size"].tolist() == [c["size"] for c in result.clusters]
    assert neardup.to_pandas(result.pairs).equals(pairs)
    assert neardup.to_pandas([]).empty
    with pytest.raises(ValueError, match="kind"):
        result.to_pandas("nonsense")
