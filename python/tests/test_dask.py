"""neardup.dask on a LocalCluster gives the pairs and clusters of
`neardup cluster --containment 0`, byte for byte.

One LocalCluster of two worker processes (one thread each) serves the whole
module. The comparisons run at the command line's default threshold, 0.5,
where most band collisions are unrelated documents, so the shuffles, the
signature screen and exact verification all carry real load.
"""

import gzip
import json
import os
import pathlib
import random
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import BINARY_DIR, SAMPLE_NEWS, read_jsonl

try:
    import dask.bag
    import dask.dataframe
    import distributed
except ImportError as error:
    pytest.skip(f"neardup.dask needs dask and distributed ({error}); "
                "apt-get install python3-dask python3-distributed",
                allow_module_level=True)

import neardup.dask  # noqa: E402  (after the skip)

GENERATOR = BINARY_DIR / "bench" / "neardup_generate_news"


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 worker processes, closed after the module."""
    with distributed.LocalCluster(n_workers=2, processes=True,
                                  threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def cli_outputs(cli, tmp_path, inputs, *flags):
    """(clusters bytes, pairs bytes) of `neardup cluster`."""
    clusters = tmp_path / "cli-clusters.jsonl"
    pairs = tmp_path / "cli-pairs.jsonl"
    cli("cluster", *inputs, "-q", "--clusters", clusters, "--pairs", pairs,
        *flags)
    return clusters.read_bytes(), pairs.read_bytes()


def assert_same_as_cli(result, cli_result):
    clusters, pairs = cli_result
    assert result.pairs_jsonl() == pairs
    assert result.clusters_jsonl() == clusters


# --- Against the command line ------------------------------------------------


@pytest.mark.parametrize("options,flags", [
    ({"linkage": "single"}, ["--linkage", "single"]),
    ({}, []),  # center linkage, the default
    ({"keep": "longest", "threshold": 0.8},
     ["--keep", "longest", "--threshold", "0.8"]),
])
def test_sample_news_equals_the_cli(client, cli, tmp_path, options, flags):
    result = neardup.dask.cluster(SAMPLE_NEWS, **options)
    assert result.stats["verified_pairs"] > 0
    assert_same_as_cli(result, cli_outputs(cli, tmp_path, [SAMPLE_NEWS],
                                           "--containment", "0", *flags))
    texts, ids = load(SAMPLE_NEWS)
    assert result.pairs.equals(neardup.cluster(
        texts, ids, containment=0, **options).to_pandas("pairs"))


def load(path):
    """(texts, ids) of a JSON-lines file."""
    records = read_jsonl(path)
    return [r["text"] for r in records], [str(r["id"]) for r in records]


def python_news(path, docs, seed=1):
    """A generated news corpus with planted copies, when the benchmark
    generator is not built: stories of random words, 12 % reprinted 1-4
    times with words dropped, replaced or cut off."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(2, 9)))
                  for _ in range(5000)]
    with open(path, "w") as f:
        n = 0
        while n < docs:
            story = rng.choices(vocabulary, k=rng.randint(150, 500))
            copies = rng.randint(1, 4) if rng.random() < 0.12 else 0
            for c in range(copies + 1):
                words = list(story)
                if c:
                    for _ in range(rng.randint(0, 30)):
                        words[rng.randrange(len(words))] = rng.choice(
                            vocabulary)
                    words = words[:len(words) - rng.randint(0, 40)]
                f.write(json.dumps({"id": f"n{n:08d}",
                                    "text": " ".join(words)}) + "\n")
                n += 1


@pytest.fixture(scope="module")
def news20k(tmp_path_factory):
    """20,000 generated news articles (the benchmark generator's, or
    python_news's when it is not built)."""
    path = tmp_path_factory.mktemp("news") / "news-20000.jsonl"
    if GENERATOR.exists():
        subprocess.run([str(GENERATOR), "--docs", "20000", "--out",
                        str(path), "--threads", "1"], check=True,
                       capture_output=True)
    else:
        python_news(path, 20000)
    return path


def test_20k_generated_articles_in_8_partitions_equal_the_cli(
        client, cli, tmp_path, news20k):
    size = news20k.stat().st_size
    result = neardup.dask.cluster(news20k, linkage="single",
                                  blocksize=size // 9 + 1)
    stats = result.stats
    assert stats["documents"] == 20000
    assert stats["partitions"] >= 8
    # Most band collisions fail: the screen and verification carry load.
    assert stats["band_collisions"] > 10 * stats["verified_pairs"] > 20000
    assert stats["sketch_screened"] > stats["verified_pairs"]
    assert_same_as_cli(result, cli_outputs(cli, tmp_path, [news20k],
                                           "--containment", "0",
                                           "--linkage", "single"))
    # Single linkage is connected components of the verified pairs.
    members = result.members
    assert len(members) == stats["clustered_documents"]
    assert sorted(members.groupby("cluster").size().tolist()) == sorted(
        component_sizes(result.pairs))


def component_sizes(pairs):
    """Sizes of the connected components of the pairs (of 2 or more)."""
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(pairs["a"], pairs["b"]):
        parent[find(a)] = find(b)
    roots = [find(x) for x in list(parent)]
    return list(np.unique(roots, return_counts=True)[1])


def templated(path, copies=1150):
    """More than 1000 copies of one item (a number changed) and some other
    texts: their band buckets are capped, as `neardup cluster` caps them."""
    rng = random.Random(3)
    words = [f"t{i}" for i in range(200)]
    base = " ".join(rng.choices(words, k=400))
    with open(path, "w") as f:
        for i in range(copies + 150):
            if i % 97 == 5:
                text = "  "  # Empty after normalisation: no signature.
            elif i % 9 == 0:
                text = " ".join(rng.choices(words, k=80))
            else:
                text = f"{base} item {i}"
            doc_id = i if i % 2 else f"doc-{i}"  # Integer ids too.
            f.write(json.dumps({"id": doc_id, "text": text}) + "\n")
            if i == 10:
                f.write("\n \t \n")  # Blank lines are no records.


def test_oversized_buckets_are_capped_as_the_cli_caps_them(client, cli,
                                                           tmp_path):
    path = tmp_path / "templated.jsonl"
    templated(path)
    result = neardup.dask.cluster(path, linkage="single", blocksize=400000)
    assert result.stats["capped_buckets"] > 0
    assert result.stats["largest_bucket"] > neardup.dask.MAX_BUCKET
    assert result.stats["empty_documents"] > 0
    assert_same_as_cli(result, cli_outputs(cli, tmp_path, [path],
                                           "--containment", "0",
                                           "--linkage", "single"))


def test_without_the_screen_every_candidate_is_verified(client,
                                                        sample_pairs):
    every = neardup.dask.cluster(SAMPLE_NEWS, linkage="single", screen=False)
    assert every.stats["sketch_screened"] == 0
    same(every, sample_pairs)


def test_bucket_pairs_follow_find_candidate_pairs(monkeypatch):
    """_bucket_pairs against a direct reading of FindCandidatePairs, with a
    small cap so that several buckets exceed it."""
    import pandas as pd

    monkeypatch.setattr(neardup.dask, "MAX_BUCKET", 4)
    rng = np.random.default_rng(5)
    rows = pd.DataFrame({
        "key": rng.integers(0, 6, 400).astype(np.uint64),
        "band": rng.integers(0, 3, 400).astype(np.uint16),
        "doc": rng.permutation(1000)[:400].astype(np.int64) + (7 << 32)})
    pairs, counts = neardup.dask._bucket_pairs(rows, np.zeros(0, np.int64),
                                               None, [])
    expected = set()
    for _, bucket in rows.groupby(["band", "key"]):
        docs = sorted(bucket["doc"])
        if len(docs) > 4:
            expected |= {(docs[0], d) for d in docs[1:]}
        else:
            expected |= {(x, y) for i, x in enumerate(docs)
                         for y in docs[i + 1:]}
    assert set(zip(pairs["a"], pairs["b"])) == expected
    assert len(pairs) == len(expected)
    assert counts["capped_buckets"] == sum(
        len(b) > 4 for _, b in rows.groupby(["band", "key"]))


# --- Inputs ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_pairs(client):
    """The sample's pairs and clusters, from the plain file."""
    result = neardup.dask.cluster(SAMPLE_NEWS, linkage="single")
    return result.pairs_jsonl(), result.clusters_jsonl()


def same(result, expected):
    assert (result.pairs_jsonl(), result.clusters_jsonl()) == expected


def test_gzip_and_multi_frame_zstd_inputs(client, tmp_path, sample_pairs):
    data = SAMPLE_NEWS.read_bytes()
    gz = tmp_path / "news.jsonl.gz"
    gz.write_bytes(gzip.compress(data))
    same(neardup.dask.cluster(gz, linkage="single"), sample_pairs)
    # Cut into pieces after decompression.
    same(neardup.dask.cluster(gz, linkage="single", blocksize=20000),
         sample_pairs)
    if shutil.which("zstd") is None:
        pytest.skip("no zstd command to write the zstd input")
    half = data.index(b"\n", len(data) // 2) + 1
    frames = b"".join(
        subprocess.run(["zstd", "-q", "-c"], input=part, check=True,
                       capture_output=True).stdout
        for part in (data[:half], data[half:]))
    zst = tmp_path / "news.jsonl.zst"
    zst.write_bytes(frames)
    same(neardup.dask.cluster(str(zst), linkage="single"), sample_pairs)


def test_several_files_and_globs_in_order(client, tmp_path, sample_pairs):
    lines = SAMPLE_NEWS.read_bytes().splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(b"".join(lines[:20]))
    second.write_bytes(b"".join(lines[20:]))
    same(neardup.dask.cluster([first, second], linkage="single"),
         sample_pairs)
    same(neardup.dask.cluster(str(tmp_path / "*.jsonl"), linkage="single"),
         sample_pairs)


def test_dask_dataframe_and_bag_inputs(client, sample_pairs):
    import pandas as pd

    records = read_jsonl(SAMPLE_NEWS)
    frame = pd.DataFrame({"key": [r["id"] for r in records],
                          "body": [r["text"] for r in records]})
    ddf = dask.dataframe.from_pandas(frame, npartitions=3)
    same(neardup.dask.cluster(ddf, id_field="key", text_field="body",
                              linkage="single"), sample_pairs)
    bag = dask.bag.from_sequence(records, npartitions=4)
    same(neardup.dask.cluster(bag, linkage="single"), sample_pairs)
    lines = dask.bag.from_sequence(SAMPLE_NEWS.read_text().splitlines(),
                                   npartitions=2)
    same(neardup.dask.cluster(lines, linkage="single"), sample_pairs)


# --- Outputs -----------------------------------------------------------------


def test_labels_join_every_record_to_its_cluster(client):
    result = neardup.dask.cluster(SAMPLE_NEWS)
    labels = result.labels.compute()
    texts, ids = load(SAMPLE_NEWS)
    assert labels["id"].tolist() == ids
    clustered = labels[labels["size"] > 1].set_index("id")
    members = result.members.set_index("id")
    assert sorted(clustered.index) == sorted(members.index)
    for column in ("cluster", "size", "jaccard", "containment"):
        assert (clustered[column] == members.loc[clustered.index, column]
                ).all(), column
    alone = labels[labels["size"] == 1]
    assert (alone["cluster"] == alone["id"]).all()
    kept = labels[labels["cluster"] == labels["id"]]
    assert len(kept) == len(ids) - (result.stats["clustered_documents"] -
                                    result.stats["clusters"])
    # The records as neardup.cluster gives them.
    assert result.clusters == neardup.cluster(texts, ids,
                                              containment=0)["clusters"]


def test_write_files_atomically(client, tmp_path):
    result = neardup.dask.cluster(SAMPLE_NEWS)
    result.write_clusters(tmp_path / "clusters.jsonl")
    result.write_pairs(tmp_path / "pairs.jsonl")
    written = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert written == {"clusters.jsonl": result.clusters_jsonl(),
                       "pairs.jsonl": result.pairs_jsonl()}


def test_containment_links_are_a_subset_of_the_clis(client, cli, tmp_path):
    result = neardup.dask.cluster(SAMPLE_NEWS, containment=0.8)
    _, pairs = cli_outputs(cli, tmp_path, [SAMPLE_NEWS])  # CLI defaults.
    cli_pairs = {line for line in pairs.splitlines()}
    ours = result.pairs_jsonl().splitlines()
    assert set(ours) <= cli_pairs
    assert result.stats["verified_pairs"] == len(
        [p for p in map(json.loads, ours) if "link" not in p])


# --- Errors ------------------------------------------------------------------


def test_bad_records_are_located_as_the_cli_locates_them(client, cli,
                                                         tmp_path):
    lines = SAMPLE_NEWS.read_text().splitlines(keepends=True)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines[:30] + ['{"id": "x", "text": oops}\n'] +
                          lines[30:]))
    # Several blocks: the line number counts the blocks before.
    with pytest.raises(ValueError, match=r"bad.jsonl:31: not valid JSON .*"
                       r"on_error=\"skip\""):
        neardup.dask.cluster(bad, blocksize=30000)
    cli_error = cli("cluster", bad, check=False).stderr
    assert "bad.jsonl:31: not valid JSON" in cli_error

    dup = tmp_path / "dup.jsonl"
    dup.write_text("".join(lines + [lines[2]]))
    with pytest.raises(ValueError, match=r'dup.jsonl:44: duplicate id '
                       r'"sample-003" \(first seen at .*dup.jsonl:3\); ids '
                       r"must be unique"):
        neardup.dask.cluster(dup, blocksize=30000)

    # Skipped, they are left out as the CLI leaves them out.
    both = tmp_path / "both.jsonl"
    both.write_text("".join(lines[:30] + ['{"id": "x", "text": oops}\n',
                                          '{"id": "y"}\n'] + lines[30:] +
                            [lines[2]]))
    result = neardup.dask.cluster(both, blocksize=30000, on_error="skip")
    assert result.stats["skipped"] == 3
    assert result.stats["documents"] == 43
    assert result.stats["skipped_first"][0].endswith(
        "both.jsonl:31: not valid JSON (Expecting value: line 1 column 21 "
        "(char 20))")
    assert result.stats["skipped_first"][2].endswith(
        '"sample-003" (first seen at ' f"{both}:3); kept the first")
    cli_clusters, cli_pairs = cli_outputs(
        cli, tmp_path, [both], "--on-error", "skip", "--containment", "0")
    assert result.pairs_jsonl() == cli_pairs
    assert result.clusters_jsonl() == cli_clusters
    assert len(result.labels.compute()) == 43


def test_bad_options(client):
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        neardup.dask.cluster(SAMPLE_NEWS, thresh=0.8)
    with pytest.raises(ValueError, match="--num-perm"):
        neardup.dask.cluster(SAMPLE_NEWS, num_perm=0)
    with pytest.raises(ValueError, match='unknown linkage "chain"'):
        neardup.dask.cluster(SAMPLE_NEWS, linkage="chain")
    with pytest.raises(ValueError, match="--containment"):
        neardup.dask.cluster(SAMPLE_NEWS, containment=2)
    with pytest.raises(FileNotFoundError):
        neardup.dask.cluster("/nonexistent/news-*.jsonl")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        neardup.dask.cluster(str(SAMPLE_NEWS.parent))


# --- python3 -m neardup.dask -------------------------------------------------


def run_module(*args):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(pathlib.Path(neardup.dask.__file__).parents[1])] +
        os.environ.get("PYTHONPATH", "").split(os.pathsep))}
    return subprocess.run(
        [sys.executable, "-m", "neardup.dask", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=300)


def test_the_command_line_help_teaches():
    result = run_module("--help")
    assert result.returncode == 0
    for words in ("--scheduler ADDRESS|local", "dask-scheduler",
                  "dask-worker", "--clusters OUT", "--pairs OUT",
                  "--threshold", "--containment", "docs/python.md"):
        assert words in result.stdout, words


def test_the_command_line_on_a_scheduler_and_locally(client, cli, tmp_path):
    expected = cli_outputs(cli, tmp_path, [SAMPLE_NEWS], "--containment", "0",
                           "--threshold", "0.8")
    clusters, pairs = tmp_path / "clusters.jsonl", tmp_path / "pairs.jsonl"
    address = client.scheduler_info()["address"]
    result = run_module(SAMPLE_NEWS, "--scheduler", address,
                        "--threshold", "0.8", "--clusters", clusters,
                        "--pairs", pairs)
    assert result.returncode == 0, result.stderr
    assert (clusters.read_bytes(), pairs.read_bytes()) == expected
    assert "verified with exact Jaccard >= 0.80" in result.stderr
    # A LocalCluster of its own, clusters on stdout.
    result = run_module(SAMPLE_NEWS, "--scheduler", "local", "--workers", "1",
                        "--threshold", "0.8", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout.encode() == expected[0]
    assert "neardup.dask:" not in result.stderr
    # Bad input: exit status 2 and the location.
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n')
    result = run_module(bad, "--scheduler", address)
    assert result.returncode == 2
    assert f"{bad}:1: missing field \"text\"" in result.stderr
