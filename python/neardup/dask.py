"""neardup.dask: near-duplicate clusters on a Dask cluster.

The same pairs and clusters as ``neardup cluster``, computed as a
map/shuffle job on Dask (docs/python.md, "neardup.dask")::

    JSON lines ─► parse ─► sketch, band keys ─► shuffle by (band, key)
      ─► candidate pairs per bucket ─► shuffle by b, attach text b
      ─► shuffle by a, attach text a, exact Jaccard ─► client: clusters
      ─► labels joined back to the records

Sketches, band keys and exact scores come from the C++ library through
:class:`neardup.Sketcher`, with the GIL released; Dask reads the input and
does the shuffles, and the client clusters the verified pairs. Documents are
numbered in input order (partition number << 32 | row), which is the order
``neardup cluster`` reads them in, so oversized buckets, representatives
and the order of pairs and clusters are the command line's.

    >>> import neardup.dask
    >>> from distributed import Client
    >>> client = Client("tcp://scheduler:8786")         # or LocalCluster()
    >>> result = neardup.dask.cluster(["news-*.jsonl"], threshold=0.8)
    >>> result.pairs            # pandas: a, b, jaccard, containment, link
    >>> result.members          # pandas: cluster, size, id, jaccard, ...
    >>> result.labels           # Dask DataFrame: every record's cluster
    >>> result.write_clusters("clusters.jsonl")   # the CLI's --clusters lines

From a shell: ``python3 -m neardup.dask news-*.jsonl --scheduler local
--clusters clusters.jsonl --pairs pairs.jsonl`` (``--help`` explains).

Links are Jaccard links: with its default ``containment=0`` this gives
exactly ``neardup cluster --containment 0``. ``containment=C`` also links LSH
candidates whose exact containment reaches C, but does not search shared
passages as the command line does, so it finds a subset of the command
line's containment links (docs/python.md says why).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np
import pandas as pd

try:
    import dask
    import dask.bag
    import dask.utils
    import dask.dataframe as dd
    from dask.bytes import read_bytes
    from dask.delayed import Delayed
except ImportError as error:  # pragma: no cover - depends on the machine
    raise ImportError(
        "neardup.dask needs Dask: apt-get install python3-dask "
        "python3-distributed (tools/install-deps.sh does)") from error

from . import Cluster, _load_clusters, _load_pairs, _neardup, to_pandas
from ._neardup import Sketcher

__all__ = ["DaskClusterResult", "MAX_BUCKET", "cluster", "main"]

#: A band bucket holding more documents than this pairs each member only
#: with its first document in input order, as ``neardup cluster`` does
#: (``CandidateOptions::max_bucket`` in include/neardup/lsh.h).
MAX_BUCKET = 1000

# Input order index: partition number in the high half, row in the low half.
_ROW_BITS = 32
_ROW_MASK = (1 << _ROW_BITS) - 1

# The options that shape sketches and band keys (Sketcher's), and the others
# `cluster` takes from the command line.
_SKETCH_OPTIONS = ("threshold", "ngram", "num_perm", "normalize", "algorithm",
                   "bands", "rows", "seed")
_CLUSTER_OPTIONS = _SKETCH_OPTIONS + ("containment", "keep", "linkage")

Source = Union[str, os.PathLike, Sequence[Union[str, os.PathLike]],
               "dd.DataFrame", "dask.bag.Bag"]


# --- Reading -----------------------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    """Where a partition's records came from, to name them in messages:
    a block of a file (records are numbered by line within the block; the
    lines before the block are known once every block is read), or a
    DataFrame or Bag partition (records are numbered by row)."""
    partition: int
    path: str | None = None
    # A file block's bytes (delayed), which stage 3 reads again.
    block: Delayed | None = None


@dataclass
class _Problems:
    """The bad records of one partition: the first few, and how many; and
    the lines the partition spans, to number lines across blocks."""
    LISTED = 10

    count: int = 0
    first: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.first) < self.LISTED:
            self.first.append((line, message))


def _id_text(record: Any, id_field: str, text_field: str,
             repaired: bool) -> tuple[str, str] | str:
    """(id, text) of a parsed record, by the command line's rules, or the
    problem as a message."""
    if not isinstance(record, dict):
        return f"not a JSON object but {type(record).__name__}"
    if id_field not in record:
        return (f"missing field {json.dumps(id_field)}; use --id-field to "
                f"name the field that holds the id")
    if text_field not in record:
        return (f"missing field {json.dumps(text_field)}; use --text-field "
                f"to name the field that holds the text")
    doc_id, text = record[id_field], record[text_field]
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        return (f"field {json.dumps(id_field)} must be a string or an "
                f"integer, got {_json_type(doc_id)}")
    if not isinstance(text, str):
        return (f"field {json.dumps(text_field)} must be a string, got "
                f"{_json_type(text)}")
    doc_id = str(doc_id)
    if repaired and "\ufffd" in doc_id:
        return ("the id holds invalid UTF-8; ids must be valid UTF-8, so "
                "that distinct ids stay distinct")
    return doc_id, _without_surrogates(text)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _without_surrogates(text: str) -> str:
    """The text with lone surrogates (from "\\ud800" escapes) as U+FFFD,
    since UTF-8 cannot hold them."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8",
                                                            "replace")


def _docs_frame(ids: list[str], texts: list[str], lines: list[int],
                partition: int, rows: list[int] | None = None
                ) -> pd.DataFrame:
    """Records as a DataFrame indexed by input position (partition << 32 |
    row; rows 0, 1, ... unless given)."""
    numbers = (np.arange(len(ids), dtype=np.int64) if rows is None else
               np.asarray(rows, dtype=np.int64))
    index = (np.int64(partition) << _ROW_BITS) + numbers
    return pd.DataFrame(
        {"id": _objects(ids), "text": _objects(texts),
         "line": np.asarray(lines, dtype=np.int64)},
        index=pd.Index(index, name="doc"))


def _objects(items: list[str]) -> np.ndarray:
    """A NumPy object array holding the very str objects of `items`."""
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def _parse_block(block: bytes, partition: int, id_field: str,
                 text_field: str, rows: np.ndarray | None = None
                 ) -> tuple[pd.DataFrame, _Problems]:
    """The records of a block of JSON lines, numbered in input order, and
    the bad ones.

    With `rows` (for a block whose every non-blank line is a good record,
    as stage 1 found), only those records are parsed: record r is the
    block's r-th non-blank line.
    """
    problems = _Problems(lines=block.count(b"\n"))
    wanted = None if rows is None else set(rows.tolist())
    ids: list[str] = []
    texts: list[str] = []
    lines: list[int] = []
    numbers: list[int] = []
    row = -1
    for number, line in enumerate(block.split(b"\n")):
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line.strip(b" \t\r"):
            continue  # Blank lines are no records, as for the CLI.
        row += 1
        if wanted is not None and row not in wanted:
            continue
        repaired = False
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            decoded = line.decode("utf-8", "replace")
            repaired = True
        try:
            record = json.loads(decoded)
        except ValueError as error:
            problems.add(number, f"not valid JSON ({error})")
            continue
        fields = _id_text(record, id_field, text_field, repaired)
        if isinstance(fields, str):
            problems.add(number, fields)
            continue
        ids.append(fields[0])
        texts.append(fields[1])
        lines.append(number)
        numbers.append(row)
    if wanted is not None:
        if problems.count:  # pragma: no cover - the block changed
            raise RuntimeError(f"partition {partition} read differently the "
                               f"second time; was the input changed?")
        return _docs_frame(ids, texts, lines, partition, numbers), problems
    return _docs_frame(ids, texts, lines, partition), problems


def _parse_frame(frame: pd.DataFrame, partition: int, id_field: str,
                 text_field: str) -> tuple[pd.DataFrame, _Problems]:
    """The records of a pandas partition with id and text columns."""
    problems = _Problems(lines=len(frame))
    for name, flag in ((id_field, "--id-field"), (text_field, "--text-field")):
        if name not in frame.columns:
            raise ValueError(
                f"partition {partition} has no column "
                f"{json.dumps(name)} (columns: {list(map(str, frame.columns))}"
                f"); use id_field= / text_field= ({flag}) to name it")
    ids: list[str] = []
    texts: list[str] = []
    lines: list[int] = []
    for row, (doc_id, text) in enumerate(
            zip(frame[id_field].tolist(), frame[text_field].tolist())):
        fields = _id_text({id_field: _plain_id(doc_id), text_field: text},
                          id_field, text_field, False)
        if isinstance(fields, str):
            problems.add(row, fields)
            continue
        ids.append(fields[0])
        texts.append(fields[1])
        lines.append(row)
    return _docs_frame(ids, texts, lines, partition), problems


def _plain_id(value: Any) -> Any:
    """NumPy integers as int; a whole float (pandas' int column with gaps)
    stays a float and is refused."""
    if isinstance(value, np.integer):
        return int(value)
    return value


def _parse_records(records: list[Any], partition: int, id_field: str,
                   text_field: str) -> tuple[pd.DataFrame, _Problems]:
    """The records of a Bag partition: dicts, or JSON lines as str/bytes."""
    problems = _Problems(lines=len(records))
    ids: list[str] = []
    texts: list[str] = []
    lines: list[int] = []
    for row, record in enumerate(records):
        repaired = False
        if isinstance(record, (str, bytes)):
            if isinstance(record, bytes):
                try:
                    record = record.decode("utf-8")
                except UnicodeDecodeError:
                    record = record.decode("utf-8", "replace")
                    repaired = True
            if not record.strip(" \t\r\n"):
                continue
            try:
                record = json.loads(record)
            except ValueError as error:
                problems.add(row, f"not valid JSON ({error})")
                continue
        fields = _id_text(record, id_field, text_field, repaired)
        if isinstance(fields, str):
            problems.add(row, fields)
            continue
        ids.append(fields[0])
        texts.append(fields[1])
        lines.append(row)
    return _docs_frame(ids, texts, lines, partition), problems


def _read_zstd(path: str) -> bytes:
    """A zstd file decompressed by the C++ library (every frame)."""
    return _neardup.read_input(os.fsencode(path))


def _split_lines(data: bytes, count: int) -> list[bytes]:
    """`data` cut into `count` pieces at line ends, as Dask's read_bytes
    cuts files: piece k starts after the first line end at or after
    k * len(data) / count."""
    n = len(data)
    cuts = [0]
    for k in range(1, count):
        end = data.find(b"\n", max(cuts[-1], k * n // count))
        cuts.append(n if end < 0 else end + 1)
    cuts.append(n)
    return [data[cuts[k]:cuts[k + 1]] for k in range(count)]


def _piece(pieces: list[bytes], k: int) -> bytes:
    return pieces[k]


def _compression(fs: Any, path: str) -> str | None:
    """"gzip", "zstd" or None, from the magic bytes as the CLI decides."""
    with fs.open(path, "rb") as f:
        magic = f.read(4)
    if magic[:2] == b"\x1f\x8b":
        return "gzip"
    if magic == b"\x28\xb5\x2f\xfd":
        return "zstd"
    return None


# A compressed file is cut, once decompressed, into about
# size * _EXPANSION / blocksize partitions (text compresses 3-8 times).
_EXPANSION = 5


def _file_blocks(paths: Sequence[str | os.PathLike], blocksize: int
                 ) -> list[tuple[Delayed, str]]:
    """(delayed bytes, path) of every block of every file, in input order.

    Plain files are cut into blocks of about `blocksize` bytes at line ends
    by Dask's read_bytes, so records stay whole. A compressed file cannot
    be cut before it is decompressed: one task decompresses it (gzip by
    Dask's reader; zstd by the C++ library, since fsspec's zstd reader
    needs the zstandard module and stops after a file's first frame) and
    its lines are then cut into blocks the same way.
    """
    import fsspec.core

    blocks: list[tuple[Delayed, str]] = []
    for given in paths:
        fs, _, expanded = fsspec.core.get_fs_token_paths(
            os.fspath(given), mode="rb")
        if not expanded:
            raise FileNotFoundError(f"{os.fspath(given)}: no such file")
        for path in expanded:
            if fs.isdir(path):
                raise IsADirectoryError(
                    f"{path} is a directory; neardup.dask reads JSON-lines "
                    f"files (name them, or use a glob such as {path}/*.jsonl)")
            compression = _compression(fs, path)
            if compression is None:
                _, [file_blocks] = read_bytes(path, delimiter=b"\n",
                                              sample=False,
                                              blocksize=blocksize)
                blocks += [(block, path) for block in file_blocks]
                continue
            if compression == "zstd":
                if "file" not in fs.protocol:
                    raise ValueError(
                        f"{path}: zstd input must be a file path every worker "
                        f"can open; decompress it, or use gzip")
                data = dask.delayed(_read_zstd, pure=True)(path)
            else:
                _, [[data]] = read_bytes(path, sample=False, blocksize=None,
                                         compression=compression)
            count = max(1, -(-fs.size(path) * _EXPANSION // blocksize))
            if count == 1:
                blocks.append((data, path))
                continue
            pieces = dask.delayed(_split_lines, pure=True)(data, count)
            blocks += [(dask.delayed(_piece, pure=True)(pieces, k), path)
                       for k in range(count)]
    return blocks


def _partitions(source: Source, id_field: str, text_field: str,
                blocksize: int | str) -> tuple[list[Delayed], list[_Origin]]:
    """Delayed (docs, problems) per partition, and where each came from."""
    fields = dict(id_field=id_field, text_field=text_field)
    parts: list[Delayed] = []
    origins: list[_Origin] = []
    if isinstance(source, dd.DataFrame):
        for p, frame in enumerate(source.to_delayed()):
            origins.append(_Origin(p))
            parts.append(dask.delayed(_parse_frame)(frame, p, **fields))
        return parts, origins
    if isinstance(source, dask.bag.Bag):
        for p, records in enumerate(source.to_delayed()):
            origins.append(_Origin(p))
            parts.append(dask.delayed(_parse_records)(records, p, **fields))
        return parts, origins
    if isinstance(source, (str, os.PathLike)):
        source = [source]
    if not isinstance(source, Sequence) or not source:
        raise TypeError(
            "source must be JSON-lines paths (a path, a glob or a list), a "
            "Dask DataFrame or a Dask Bag; got "
            f"{type(source).__name__}")
    if isinstance(blocksize, str):
        blocksize = dask.utils.parse_bytes(blocksize)
    for p, (block, path) in enumerate(_file_blocks(source, int(blocksize))):
        origins.append(_Origin(p, path, block))
        parts.append(dask.delayed(_parse_block)(block, p, **fields))
    return parts, origins


class _Locations:
    """Names records as the CLI does ("file:LINE"), once every partition's
    line count is known; "partition P, row R" for DataFrame and Bag input."""

    def __init__(self, origins: list[_Origin], lines: list[int]) -> None:
        self._origins = origins
        self._first_line = []
        previous, before = None, 0
        for origin, count in zip(origins, lines):
            if origin.path != previous:
                previous, before = origin.path, 0
            self._first_line.append(before)
            before += count

    def __call__(self, partition: int, line: int) -> str:
        origin = self._origins[partition]
        if origin.path is None:
            return f"partition {partition}, row {line}"
        return f"{origin.path}:{self._first_line[partition] + line + 1}"


def _from_delayed(parts: list[Delayed], meta: pd.DataFrame,
                  divisions: tuple[int, ...] | None = None) -> dd.DataFrame:
    """A Dask DataFrame of delayed pandas partitions (not checked against
    `meta`: every partition is built to match it)."""
    frame = dd.from_delayed(parts, meta=meta, divisions=divisions,
                            verify_meta=False)
    assert isinstance(frame, dd.DataFrame)
    return frame


# --- Stage 1: sketches and band keys -----------------------------------------


@functools.lru_cache(maxsize=8)
def _sketcher(options: tuple[tuple[str, Any], ...]) -> Sketcher:
    """One Sketcher per worker process and option set."""
    return Sketcher(**dict(options))


def _sketch_partition(parsed: tuple[pd.DataFrame, _Problems],
                      options: tuple[tuple[str, Any], ...]
                      ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any],
                                 np.ndarray]:
    """(band key rows, id rows, counts, signatures) of one partition.

    Band key rows are (key, band, doc) for every band of every document with
    a signature; documents without shingles (empty after normalisation) have
    none and are never candidates, as in ``neardup cluster``. Signatures
    are one row per document, for the screen of stage 2.
    """
    docs, problems = parsed
    sketcher = _sketcher(options)
    signatures, present = sketcher.sketch(docs["text"].to_numpy(),
                                          return_present=True)
    keys = sketcher.band_keys(signatures[present])
    bands = sketcher.bands
    rows = int(present.sum())
    key_rows = pd.DataFrame({
        "key": keys.reshape(-1),
        "band": np.tile(np.arange(bands, dtype=np.uint16), rows),
        "doc": np.repeat(docs.index.to_numpy()[present], bands),
    })
    id_rows = pd.DataFrame({"id": docs["id"].to_numpy(),
                            "doc": docs.index.to_numpy(),
                            "line": docs["line"].to_numpy(),
                            "empty": ~present})
    counts = {"documents": len(docs), "empty_documents": len(docs) - rows,
              "problems": problems}
    return key_rows, id_rows, counts, signatures


def _duplicates(ids: pd.DataFrame) -> pd.DataFrame:
    """The rows whose id another row also has (after a shuffle by id)."""
    return ids[ids["id"].duplicated(keep=False)]


# --- Stage 2: buckets --------------------------------------------------------


@dataclass(frozen=True)
class _Screen:
    """The signature screen of stage 2: the Sketcher's options and the least
    Jaccard a pair must be able to reach."""
    options: tuple[tuple[str, Any], ...]
    min_jaccard: float


def _bucket_pairs(rows: pd.DataFrame, dropped: np.ndarray,
                  screen: _Screen | None, signatures: list[np.ndarray]
                  ) -> tuple[pd.DataFrame, dict[str, int]]:
    """Candidate pairs of the band buckets in one shuffled partition.

    All rows of a bucket (same band and key) are in this partition. As
    FindCandidatePairs (src/lsh/lsh.cc): a bucket of up to MAX_BUCKET
    documents pairs every two of them; a larger one pairs each member with
    its first document in input order only; with a screen, a pair whose
    signatures (every partition's, in `signatures`) rule it out is dropped
    as it is proposed, as ``neardup cluster`` drops it. Pairs are (a, b)
    with a < b in input order, without duplicates within the partition.
    """
    if len(dropped):
        rows = rows[~rows["doc"].isin(dropped)]
    band = rows["band"].to_numpy()
    key = rows["key"].to_numpy()
    doc = rows["doc"].to_numpy()
    order = np.lexsort((doc, key, band))
    band, key, doc = band[order], key[order], doc[order]
    n = len(doc)
    counts = {"band_collisions": 0, "capped_buckets": 0, "largest_bucket": 0,
              "screened": 0}
    if n < 2:
        return pd.DataFrame({"a": doc[:0], "b": doc[:0]}), counts
    new = np.empty(n, dtype=bool)
    new[0] = True
    new[1:] = (band[1:] != band[:-1]) | (key[1:] != key[:-1])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, n))
    counts["largest_bucket"] = int(sizes.max())
    a_parts: list[np.ndarray] = []
    b_parts: list[np.ndarray] = []
    for size in np.unique(sizes[sizes >= 2]):
        first = starts[sizes == size][:, None]
        if size > MAX_BUCKET:
            counts["capped_buckets"] += len(first)
            others = first + np.arange(1, size)
            a = np.repeat(doc[first[:, 0]], size - 1)
            b = doc[others].reshape(-1)
        else:
            x, y = np.triu_indices(size, 1)
            a = doc[first + x].reshape(-1)
            b = doc[first + y].reshape(-1)
        counts["band_collisions"] += len(a)
        if screen is not None:
            keep = _sketcher(screen.options).screen_pairs(
                signatures, a, b, screen.min_jaccard)
            counts["screened"] += len(a) - int(keep.sum())
            a, b = a[keep], b[keep]
        a_parts.append(a)
        b_parts.append(b)
    if not a_parts:
        return pd.DataFrame({"a": doc[:0], "b": doc[:0]}), counts
    pairs = pd.DataFrame({"a": np.concatenate(a_parts),
                          "b": np.concatenate(b_parts)})
    return pairs.drop_duplicates(ignore_index=True), counts


# --- Stage 3: exact verification ---------------------------------------------


# A partition's documents for stage 3: the bytes of a file block in which
# stage 1 found no bad record (only the lines needed are parsed again), or
# else the records as parsed.
_Texts = Union[bytes, tuple[pd.DataFrame, _Problems]]


def _documents(source: _Texts, partition: int, fields: tuple[str, str],
               docs: np.ndarray) -> pd.DataFrame:
    """The id and text of documents `docs` of a partition, in that order."""
    if isinstance(source, bytes):
        rows = np.unique(docs & _ROW_MASK)
        frame = _parse_block(source, partition, *fields, rows=rows)[0]
    else:
        frame = source[0]
    return frame.reindex(docs)


def _attach_b(pairs: pd.DataFrame, source: _Texts, partition: int,
              fields: tuple[str, str]) -> pd.DataFrame:
    """Pairs (indexed by b, shuffled to b's partition) with b's id and text.

    Every copy of a pair reaches the same partition, so duplicates from
    different bands are dropped here for good.
    """
    pairs = pairs.reset_index().drop_duplicates(["a", "b"])
    b = pairs["b"].to_numpy()
    found = _documents(source, partition, fields, b)
    return pd.DataFrame({"a": pairs["a"].to_numpy(), "b": b,
                         "id_b": found["id"].to_numpy(),
                         "text_b": found["text"].to_numpy()})


def _verify(pairs: pd.DataFrame, source: _Texts, partition: int,
            fields: tuple[str, str], options: tuple[tuple[str, Any], ...],
            threshold: float | None, containment: float
            ) -> tuple[pd.DataFrame, int]:
    """Exact scores of pairs (indexed by a, shuffled to a's partition).

    Returns the pairs that link (J >= threshold, or containment >= the
    containment option when it is on; every pair when threshold is None)
    with ids, scores and lengths in normalised code points, and how many
    pairs were scored.
    """
    a = pairs.index.to_numpy()
    found = _documents(source, partition, fields, a)
    jaccard, contained, length_a, length_b = _sketcher(options).compare_pairs(
        found["text"].to_numpy(), pairs["text_b"].to_numpy(),
        return_lengths=True)
    out = pd.DataFrame({
        "a": a, "b": pairs["b"].to_numpy(),
        "id_a": found["id"].to_numpy(), "id_b": pairs["id_b"].to_numpy(),
        "jaccard": jaccard, "containment": contained,
        "length_a": length_a, "length_b": length_b})
    if threshold is not None:
        keep = jaccard >= threshold
        if containment > 0:
            keep |= contained >= containment
        out = out[keep]
    return out.reset_index(drop=True), len(pairs)


def _score(pairs: dd.DataFrame, sources: list[Delayed],
           fields: tuple[str, str], divisions: tuple[int, ...],
           options: tuple[tuple[str, Any], ...], threshold: float | None,
           containment: float) -> list[Delayed]:
    """Delayed _verify outputs for pairs (a, b): two shuffles, each bringing
    a pair to one document's partition, so texts move once per pair (and
    once per shuffle piece for a text repeated in it: pickling shares
    it)."""
    by_b = pairs.set_index("b", divisions=list(divisions))
    # Held until the second shuffle, so that the input's texts need not
    # be: each partition is read again for its a side.
    with_b = _settled(*[
        dask.delayed(_attach_b)(part, source, p, fields)
        for p, (part, source) in enumerate(zip(by_b.to_delayed(), sources))])
    meta = pd.DataFrame({"a": pd.Series([], dtype=np.int64),
                         "b": pd.Series([], dtype=np.int64),
                         "id_b": pd.Series([], dtype=object),
                         "text_b": pd.Series([], dtype=object)})
    by_a = _from_delayed(with_b, meta).set_index("a",
                                                 divisions=list(divisions))
    return [dask.delayed(_verify, nout=2)(part, source, p, fields, options,
                                          threshold, containment)
            for p, (part, source) in enumerate(zip(by_a.to_delayed(),
                                                   sources))]


def _settled(*objects: Delayed) -> list[Delayed]:
    """The objects persisted, once they are computed (on a distributed
    Client, persist returns at once)."""
    persisted = list(dask.persist(*objects))
    try:
        from distributed import futures_of, wait
        wait(futures_of(persisted))
    except (ImportError, ValueError):
        pass  # No distributed Client: persist computed them already.
    return persisted


# --- Labels -----------------------------------------------------------------


def _labels(parsed: tuple[pd.DataFrame, _Problems], table: pd.DataFrame,
            dropped: np.ndarray) -> pd.DataFrame:
    """Every record of a partition with its cluster: the representative's
    id, the cluster's size and the scores against the representative; a
    document in no cluster is its own cluster of one (scores 1)."""
    frame = parsed[0]
    if len(dropped):
        frame = frame[~frame.index.isin(dropped)]
    found = table.reindex(frame.index)
    alone = found["size"].isna().to_numpy()
    return pd.DataFrame({
        "id": frame["id"].to_numpy(),
        "cluster": np.where(alone, frame["id"].to_numpy(),
                            found["cluster"].to_numpy()),
        "size": np.where(alone, 1, found["size"].fillna(1)).astype(np.int64),
        "jaccard": found["jaccard"].fillna(1.0).to_numpy(),
        "containment": found["containment"].fillna(1.0).to_numpy(),
    }, index=frame.index)


_LABEL_META = pd.DataFrame(
    {"id": pd.Series([], dtype=object), "cluster": pd.Series([], dtype=object),
     "size": pd.Series([], dtype=np.int64),
     "jaccard": pd.Series([], dtype=np.float64),
     "containment": pd.Series([], dtype=np.float64)},
    index=pd.Index([], dtype=np.int64, name="doc"))


# --- The result --------------------------------------------------------------


@dataclass
class DaskClusterResult:
    """What :func:`cluster` found.

    - ``pairs``: pandas DataFrame of the verified pairs in the command
      line's order (by input position of a, then b): ``a``, ``b`` (ids),
      ``jaccard``, ``containment``, ``link`` ("jaccard" or "containment"),
      as ``neardup.cluster(...).to_pandas("pairs")``.
    - ``members``: pandas DataFrame, one row per member of a cluster of two
      or more: ``cluster`` (the representative's id), ``size``, ``id``,
      ``jaccard``, ``containment`` (against the representative), as
      ``neardup.cluster(...).to_pandas()``.
    - ``labels``: Dask DataFrame of every record, partitioned as the input
      and indexed by input position: ``id``, ``cluster``, ``size``,
      ``jaccard``, ``containment``. A document in no cluster is its own
      cluster of one; ``labels[labels.cluster == labels.id]`` are the
      documents ``--dedup`` keeps.
    - ``stats``: counts (documents, candidate pairs, verified pairs, ...).
    - ``times``: seconds per stage.

    :meth:`write_clusters` and :meth:`write_pairs` write the command line's
    ``--clusters`` and ``--pairs`` lines; :attr:`clusters` has the same
    records as Python objects.
    """

    pairs: pd.DataFrame
    members: pd.DataFrame
    labels: dd.DataFrame
    stats: dict[str, Any]
    times: dict[str, float]
    _clusters_jsonl: bytes = field(repr=False)
    _pairs_jsonl: bytes = field(repr=False)

    def clusters_jsonl(self) -> bytes:
        """The lines ``neardup cluster --clusters`` writes, byte for byte."""
        return self._clusters_jsonl

    def pairs_jsonl(self) -> bytes:
        """The lines ``neardup cluster --pairs`` writes, byte for byte."""
        return self._pairs_jsonl

    @property
    def clusters(self) -> list[Cluster]:
        """The clusters as records, as ``neardup.cluster(...)["clusters"]``."""
        return _load_clusters(_lines_to_array(self._clusters_jsonl))

    def write_clusters(self, path: str | os.PathLike[str]) -> None:
        """Writes :meth:`clusters_jsonl` to `path` ("-": stdout), through a
        temporary file renamed into place, as the command line does."""
        _write_output(path, self.clusters_jsonl())

    def write_pairs(self, path: str | os.PathLike[str]) -> None:
        """Writes :meth:`pairs_jsonl` to `path` ("-": stdout)."""
        _write_output(path, self.pairs_jsonl())


def _lines_to_array(lines: bytes) -> bytes:
    return b"[" + lines.rstrip(b"\n").replace(b"\n", b",") + b"]"


def _write_output(path: str | os.PathLike[str], data: bytes) -> None:
    path = os.fspath(path)
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


# --- cluster() ---------------------------------------------------------------


def _options(given: Mapping[str, Any]) -> dict[str, Any]:
    """Every option with its default: the command line's, but containment 0
    (Jaccard links only; see the module docstring)."""
    unknown = sorted(set(given) - set(_CLUSTER_OPTIONS))
    if unknown:
        raise TypeError(f"cluster() got an unexpected keyword argument "
                        f"'{unknown[0]}'")
    defaults = _neardup.defaults("cluster")
    options = {name: defaults[name] for name in _CLUSTER_OPTIONS}
    options["containment"] = 0.0
    options.update(given)
    return options


def cluster(source: Source, *, id_field: str = "id", text_field: str = "text",
            blocksize: int | str = "64MiB",
            shuffle_partitions: int | None = None, on_error: str = "fail",
            screen: bool = True, threads: int = 1,
            progress: Callable[[str], None] | None = None,
            **options: Any) -> DaskClusterResult:
    """Clusters near-duplicate documents on the current Dask scheduler.

    ``source`` is one or more JSON-lines files (paths, globs or fsspec URLs;
    plain, gzip or zstd, recognised by their magic bytes), a Dask DataFrame
    with ``id_field`` and ``text_field`` columns, or a Dask Bag of records
    (dicts, or JSON lines as str). Ids are strings or integers (taken as
    their decimal text) and must be unique; input order is file order, then
    line order (or partition order, then row order).

    Options have the command line's names and defaults (``neardup cluster
    --help``): threshold (0.5), ngram, num_perm, normalize, algorithm,
    bands, rows, seed, keep ("first"), linkage ("center"); except
    containment, which is 0 here: links are by exact Jaccard, so the pairs
    and clusters are those of ``neardup cluster --containment 0``.
    ``containment=C`` also links LSH candidates whose exact containment
    reaches C (the command line finds more, from shared passages).

    Dask's settings: ``blocksize`` cuts files into partitions of about that
    many bytes (a gzip or zstd file is decompressed whole by one task, then
    cut); ``shuffle_partitions`` is the
    number of partitions of the band-key shuffle (default: as many as the
    input); ``threads`` is the C++ threads per task (1: Dask's workers are
    the parallelism). ``on_error="skip"`` leaves bad records out (and later
    copies of an id), counting them, as ``--on-error skip``. ``screen``
    drops band collisions whose signatures rule them out before exact
    verification, as the command line does (with containment 0; it holds
    every signature on every worker: 4 * num_perm bytes per document);
    ``screen=False`` verifies every candidate. ``progress`` is called with
    a line as each stage ends.

    Runs on the distributed Client in effect (``distributed.Client(...)``)
    or else on Dask's default scheduler. Returns a
    :class:`DaskClusterResult`. Raises ValueError for a bad option or a bad
    record (naming its file and line), TypeError for an unknown option,
    OSError for files.
    """
    options = _options(options)
    if on_error not in ("fail", "skip"):
        raise ValueError(f"--on-error must be fail or skip, got {on_error!r}")
    if not 0 <= float(options["containment"]) <= 1:
        raise ValueError("--containment must be between 0 (off) and 1, got "
                         f"{options['containment']}")
    sketch_options = tuple(sorted(
        [(name, options[name]) for name in _SKETCH_OPTIONS] +
        [("threads", threads)]))
    sketcher = _sketcher(sketch_options)  # Checks the options first.
    # And linkage and keep, by the library's rules and messages.
    _neardup.build_clusters(np.zeros(0, np.uint32), np.zeros(0, np.uint32),
                            np.zeros(0, np.uint64), options["linkage"],
                            options["keep"])
    threshold = float(options["threshold"])
    containment = float(options["containment"])
    say = progress or (lambda line: None)
    times: dict[str, float] = {}
    start = clock = time.perf_counter()

    def lap(stage: str) -> float:
        nonlocal clock
        now = time.perf_counter()
        times[stage] = now - clock
        clock = now
        return times[stage]

    # Stage 1: read, parse, sketch, band keys; ids for the uniqueness check.
    parsed, origins = _partitions(source, id_field, text_field, blocksize)
    partitions = len(parsed)
    divisions = tuple([p << _ROW_BITS for p in range(partitions)] +
                      [((max(partitions, 1) - 1) << _ROW_BITS) | _ROW_MASK])
    sketched = dask.persist(*[
        dask.delayed(_sketch_partition, nout=4)(part, sketch_options)
        for part in parsed])
    counts = dask.compute([s[2] for s in sketched])[0]
    problems: list[_Problems] = [c["problems"] for c in counts]
    locate = _Locations(origins, [p.lines for p in problems])
    stats: dict[str, Any] = {
        "documents": sum(c["documents"] for c in counts),
        "empty_documents": sum(c["empty_documents"] for c in counts),
        "skipped": sum(p.count for p in problems),
        "skipped_first": [],
        "partitions": partitions,
        "bands": sketcher.bands, "rows": sketcher.rows,
    }
    bad = [(partition, line, message)
           for partition, p in enumerate(problems)
           for line, message in p.first]
    id_meta = pd.DataFrame({"id": pd.Series([], dtype=object),
                            "doc": pd.Series([], dtype=np.int64),
                            "line": pd.Series([], dtype=np.int64),
                            "empty": pd.Series([], dtype=bool)})
    repeated = id_meta
    if partitions:
        ids = _from_delayed([s[1] for s in sketched], id_meta)
        repeated = ids.shuffle("id").map_partitions(
            _duplicates, meta=id_meta).compute()
        del ids  # Its graph holds the persisted partitions.
    dropped = _check_records(bad, repeated, locate, on_error, stats)
    # Stage 3 reads the texts again: a file block with no bad record parses
    # only the lines it needs.
    fields = (id_field, text_field)
    sources = [origin.block if origin.block is not None and not p.count
               else part
               for origin, p, part in zip(origins, problems, parsed)]
    key_meta = pd.DataFrame({"key": pd.Series([], dtype=np.uint64),
                             "band": pd.Series([], dtype=np.uint16),
                             "doc": pd.Series([], dtype=np.int64)})
    say(f"sketch: {stats['documents']:,} documents in {partitions} "
        f"partitions, {sketcher.bands} bands x {sketcher.rows} rows "
        f"({lap('sketch'):.2f} s)")

    # Stage 2: shuffle band keys by key; every bucket is then in one
    # partition.
    verified = pd.DataFrame()
    if partitions:
        keys = _from_delayed([s[0] for s in sketched], key_meta)
        shuffled = keys.shuffle(
            "key", npartitions=shuffle_partitions or partitions)
        dropped_key = dask.delayed(dropped, pure=True)
        # The screen, as `neardup cluster` applies it with containment off
        # (with containment on, its bound needs each document's distinct
        # shingle count, which this does not compute). Every bucket task
        # reads every partition's signatures; a worker fetches each once.
        screening = _Screen(sketch_options, threshold) if (
            screen and containment == 0) else None
        signatures = [s[3] for s in sketched] if screening else []
        bucketed = dask.persist(*[
            dask.delayed(_bucket_pairs, nout=2)(part, dropped_key, screening,
                                                signatures)
            for part in shuffled.to_delayed()])
        del sketched, keys, shuffled, signatures
        bucket_counts = dask.compute([b[1] for b in bucketed])[0]
        stats["band_collisions"] = sum(c["band_collisions"]
                                       for c in bucket_counts)
        stats["capped_buckets"] = sum(c["capped_buckets"]
                                      for c in bucket_counts)
        stats["largest_bucket"] = max(
            [c["largest_bucket"] for c in bucket_counts] or [0])
        stats["sketch_screened"] = sum(c["screened"] for c in bucket_counts)
        say(f"buckets: {stats['band_collisions']:,} band collisions, "
            f"{stats['sketch_screened']:,} ruled out by their sketches, "
            f"{stats['capped_buckets']:,} oversized buckets capped "
            f"({lap('buckets'):.2f} s)")

        # Stage 3: candidate pairs to their documents' partitions, scored.
        pair_meta = pd.DataFrame({"a": pd.Series([], dtype=np.int64),
                                  "b": pd.Series([], dtype=np.int64)})
        pairs = _from_delayed([b[0] for b in bucketed], pair_meta)
        scored = _score(pairs, sources, fields, divisions, sketch_options,
                        threshold, containment)
        results = dask.compute(*scored)
        del bucketed, pairs, scored
        stats["candidate_pairs"] = sum(n for _, n in results)
        frames = [frame for frame, _ in results if len(frame)]
        if frames:
            verified = pd.concat(frames, ignore_index=True)
    else:
        stats.update(band_collisions=0, capped_buckets=0, largest_bucket=0,
                     sketch_screened=0, candidate_pairs=0)
        lap("buckets")
    if verified.empty:
        verified = pd.DataFrame({
            "a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64),
            "id_a": pd.Series([], dtype=object),
            "id_b": pd.Series([], dtype=object),
            "jaccard": np.zeros(0), "containment": np.zeros(0),
            "length_a": np.zeros(0, np.uint64),
            "length_b": np.zeros(0, np.uint64)})
    verified = verified.sort_values(["a", "b"], ignore_index=True)
    jaccard_link = verified["jaccard"].to_numpy() >= threshold
    stats["verified_pairs"] = int(jaccard_link.sum())
    stats["containment_pairs"] = int(len(verified) - jaccard_link.sum())
    say(f"verify: {stats['candidate_pairs']:,} candidate pairs, "
        f"{stats['verified_pairs']:,} verified with exact Jaccard >= "
        f"{threshold:.2f}" +
        (f", {stats['containment_pairs']:,} more linked with containment >= "
         f"{containment:.2f}" if containment > 0 else "") +
        f" ({lap('verify'):.2f} s)")

    # Stage 4: clusters of the verified pairs, on the client (the edges are
    # few), with the library's own BuildClusters.
    local_docs, inverse = np.unique(
        np.concatenate([verified["a"].to_numpy(), verified["b"].to_numpy()]),
        return_inverse=True)
    n_pairs = len(verified)
    a_local = inverse[:n_pairs].astype(np.uint32)
    b_local = inverse[n_pairs:].astype(np.uint32)
    lengths = np.zeros(len(local_docs), dtype=np.uint64)
    lengths[a_local] = verified["length_a"].to_numpy()
    lengths[b_local] = verified["length_b"].to_numpy()
    ids_local = np.empty(len(local_docs), dtype=object)
    ids_local[a_local] = verified["id_a"].to_numpy()
    ids_local[b_local] = verified["id_b"].to_numpy()
    representatives, offsets, members = _neardup.build_clusters(
        a_local, b_local, lengths, options["linkage"], options["keep"])
    sizes = np.diff(offsets)
    rep_of_member = np.repeat(representatives, sizes)
    # Scores against the representative: from the verified pair when there
    # is one, else (single linkage) computed as a pair of its own.
    known = {(int(x), int(y)): i for i, (x, y) in
             enumerate(zip(a_local.tolist(), b_local.tolist()))}
    member_j = np.ones(len(members))
    member_c = np.ones(len(members))
    missing: list[int] = []
    for i, (rep, m) in enumerate(zip(rep_of_member.tolist(),
                                     members.tolist())):
        if rep == m:
            continue
        pair = known.get((min(rep, m), max(rep, m)))
        if pair is None:
            missing.append(i)
        else:
            member_j[i] = verified["jaccard"].iat[pair]
            member_c[i] = verified["containment"].iat[pair]
    if missing:
        reps = local_docs[rep_of_member[missing]]
        others = local_docs[members[missing]]
        extra = pd.DataFrame({"a": np.minimum(reps, others),
                              "b": np.maximum(reps, others)})
        chunks = np.array_split(np.arange(len(extra)),
                                min(partitions, len(extra)))
        extra_scored = dask.compute(*_score(
            _from_delayed([dask.delayed(extra.iloc[c]) for c in chunks],
                          extra),
            sources, fields, divisions, sketch_options, None, 0.0))
        scores = pd.concat([f for f, _ in extra_scored]).set_index(["a", "b"])
        found = scores.reindex(pd.MultiIndex.from_arrays(
            [extra["a"].to_numpy(), extra["b"].to_numpy()]))
        member_j[missing] = found["jaccard"].to_numpy()
        member_c[missing] = found["containment"].to_numpy()
    stats["clusters"] = len(representatives)
    stats["clustered_documents"] = len(members)
    # The records, written by the C++ writers the command line uses, and
    # the DataFrames made from them as neardup.cluster makes its own (so
    # similarities are rounded to 6 decimals alike).
    ids_list = list(ids_local)
    pairs_jsonl = _neardup.pairs_jsonl(
        ids_list, a_local, b_local, verified["jaccard"].to_numpy(),
        verified["containment"].to_numpy(), ~jaccard_link)
    clusters_jsonl = _neardup.clusters_jsonl(ids_list, offsets, members,
                                             member_j, member_c)
    pair_frame = to_pandas(_load_pairs(_lines_to_array(pairs_jsonl)),
                           "pairs")
    member_frame = to_pandas(
        _load_clusters(_lines_to_array(clusters_jsonl)), "members")
    say(f"cluster: {stats['clusters']:,} clusters ({options['linkage']} "
        f"linkage) holding {stats['clustered_documents']:,} documents "
        f"({lap('cluster'):.2f} s)")

    # The labels, joined back to the records lazily (partition by partition,
    # with the small table of clustered documents broadcast).
    table = member_frame.drop(columns="id")
    table.index = pd.Index(local_docs[members], name="doc")
    table_key = dask.delayed(table, pure=True)
    dropped_key = dask.delayed(dropped, pure=True)
    if partitions:
        labels = _from_delayed(
            [dask.delayed(_labels)(part, table_key, dropped_key)
             for part in parsed], _LABEL_META, divisions)
    else:
        labels = _from_delayed([dask.delayed(_LABEL_META)], _LABEL_META)
    times["total"] = time.perf_counter() - start
    return DaskClusterResult(
        pairs=pair_frame, members=member_frame, labels=labels, stats=stats,
        times=times, _clusters_jsonl=clusters_jsonl,
        _pairs_jsonl=pairs_jsonl)


def _check_records(bad: list[tuple[int, int, str]], repeated: pd.DataFrame,
                   locate: _Locations, on_error: str, stats: dict[str, Any]
                   ) -> np.ndarray:
    """Applies on_error to bad records and repeated ids, as the CLI does.

    `bad` lists (partition, line, message) of records that could not be
    read; `repeated` every document whose id another also has. With
    on_error "fail", raises ValueError for the first problem in input
    order. With "skip", counts them (bad records were left out already),
    lists the first 10 in stats["skipped_first"], and returns the documents
    that repeat an earlier id, to leave out too.
    """
    repeated = repeated.sort_values("doc")
    first = repeated.drop_duplicates("id").set_index("id")
    later = repeated[repeated["doc"].to_numpy() !=
                     first["doc"].reindex(repeated["id"]).to_numpy()]
    skip = "pass on_error=\"skip\" (--on-error skip)"
    problems = [((partition, line), f"{locate(partition, line)}: {message}",
                 f"; fix the line or {skip}", "")
                for partition, line, message in bad]
    for row in later.head(10).itertuples():
        origin = first.loc[row.id]
        here = (row.doc >> _ROW_BITS, row.line)
        there = locate(origin.doc >> _ROW_BITS, origin.line)
        quoted = json.dumps(row.id, ensure_ascii=False)
        problems.append((here, f"{locate(*here)}: duplicate id {quoted} "
                               f"(first seen at {there})",
                         f"; ids must be unique, or {skip} to keep the "
                         f"first", "; kept the first"))
    problems.sort()
    if problems and on_error == "fail":
        _, message, advice, _ = problems[0]
        raise ValueError(message + advice)
    stats["skipped"] += len(later)
    stats["skipped_first"] = [message + note
                              for _, message, _, note in problems[:10]]
    dropped = later["doc"].to_numpy().astype(np.int64)
    stats["documents"] -= len(dropped)
    stats["empty_documents"] -= int(later["empty"].sum())
    return np.sort(dropped)


# --- Command line ------------------------------------------------------------


def _paragraphs(*paragraphs: str) -> str:
    """Help text: each paragraph wrapped to 79 columns, except lines that
    start with spaces (commands, formats), kept as they are."""
    out = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        out.append("\n".join(line if line.startswith(" ") else
                             textwrap.fill(line, 79) for line in lines))
    return "\n\n".join(out)


def _parser() -> argparse.ArgumentParser:
    defaults = _options({})
    parser = argparse.ArgumentParser(
        prog="python3 -m neardup.dask",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_paragraphs(
            "Group JSON-lines documents into clusters of near-duplicates on "
            "a Dask cluster: the pairs and clusters of `neardup cluster "
            "--containment 0`, byte for byte, every pair verified by its "
            "exact Jaccard similarity.",
            "Stages: read and sketch each partition (C++); shuffle the band "
            "keys by (band, key); pair the documents of each bucket (a "
            f"bucket of more than {MAX_BUCKET} pairs each member with its "
            "first document only), dropping the pairs whose signatures rule "
            "them out, as the CLI does; bring each pair's two texts "
            "together (two shuffles) and score it exactly (C++); cluster "
            "the verified pairs on this machine."),
        epilog=_paragraphs(
            "Outputs are the CLI's JSON lines, each written to a temporary "
            "file and renamed when complete:\n"
            '  clusters: {"cluster":ID,"size":N,"members":[{"id":ID,'
            '"jaccard":J,"containment":C},...]}\n'
            '  pairs:    {"a":ID,"b":ID,"jaccard":J,"containment":C}\n'
            "Stage times and counts go to stderr. Exit status: 0 done, 1 "
            "could not write, 2 bad flags or bad input.",
            "On a real cluster: start a scheduler on one machine and "
            "workers on the others, one process per core with one thread "
            "each, with the same neardup package installed everywhere and "
            "the inputs at the same path on every worker (a shared file "
            "system):\n"
            "  dask-scheduler                       # tcp://HOST:8786\n"
            "  dask-worker tcp://HOST:8786 --nworkers 8 --nthreads 1 "
            "--memory-limit 4GB\n"
            "  python3 -m neardup.dask /data/news-*.jsonl --scheduler "
            "tcp://HOST:8786 \\\n"
            "      --clusters clusters.jsonl --pairs pairs.jsonl",
            "On this machine only (a LocalCluster):\n"
            "  python3 -m neardup.dask news.jsonl.zst --workers 2 "
            "--threshold 0.8 --clusters clusters.jsonl",
            "docs/python.md explains memory per worker and how the shuffle "
            "is sized."))
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="JSON-lines files (plain, .gz or .zst; globs and "
                        "fsspec URLs for plain and gzip), in input order")
    where = parser.add_argument_group("where to run")
    where.add_argument("--scheduler", default="local", metavar="ADDRESS|local",
                       help="a Dask scheduler's address (tcp://host:8786), or "
                       "local to start a LocalCluster of --workers processes "
                       "here (default: local)")
    where.add_argument("--workers", type=int, default=2, metavar="N",
                       help="local only: worker processes, one thread each "
                       "(default: 2)")
    where.add_argument("--memory-limit", default="auto", metavar="BYTES",
                       help="local only: memory limit per worker, e.g. 4GB "
                       "(default: auto, the machine's memory / workers)")
    where.add_argument("--blocksize", default="64MiB", metavar="BYTES",
                       help="size of the partitions files are cut into (a "
                       "gzip or zstd file is decompressed whole by one "
                       "task, then cut; default: 64MiB)")
    where.add_argument("--shuffle-partitions", type=int, default=None,
                       metavar="N", help="partitions of the band-key "
                       "shuffle (default: as many as the input)")
    out = parser.add_argument_group("outputs")
    out.add_argument("--clusters", default="-", metavar="OUT",
                     help="write clusters of two or more here, as the CLI's "
                     "--clusters (default: - for standard output)")
    out.add_argument("--pairs", metavar="OUT",
                     help="write every verified pair here, as the CLI's "
                     "--pairs")
    out.add_argument("-q", "--quiet", action="store_true",
                     help="print nothing on stderr but errors")
    records = parser.add_argument_group("records")
    records.add_argument("--id-field", default="id", metavar="NAME",
                         help="JSON field holding each record's unique id "
                         "(default: id)")
    records.add_argument("--text-field", default="text", metavar="NAME",
                         help="JSON field holding each record's text "
                         "(default: text)")
    records.add_argument("--on-error", choices=("fail", "skip"),
                         default="fail", help="a bad record (malformed JSON, "
                         "missing field, repeated id): fail stops with its "
                         "file:line; skip leaves it out and counts it "
                         "(default: fail)")
    match = parser.add_argument_group(
        "matching (the CLI's options and defaults; see neardup cluster "
        "--help)")
    match.add_argument("-t", "--threshold", type=float,
                       default=defaults["threshold"],
                       help="link pairs whose exact Jaccard similarity is at "
                       "least this (default: %(default)s)")
    match.add_argument("--containment", type=float, default=0.0,
                       help="also link LSH candidates whose smaller text is "
                       "contained in the larger to at least this; 0 = off "
                       "(default: 0; the CLI also searches shared passages, "
                       "this does not)")
    match.add_argument("-n", "--ngram", type=int, default=defaults["ngram"],
                       help="shingle size in code points (default: "
                       "%(default)s)")
    match.add_argument("-k", "--num-perm", type=int,
                       default=defaults["num_perm"],
                       help="MinHash slots per signature (default: "
                       "%(default)s)")
    match.add_argument("--normalize", choices=("none", "ws", "full"),
                       default=defaults["normalize"],
                       help="text normalisation (default: %(default)s)")
    match.add_argument("--algorithm", choices=("oph", "classic"),
                       default=defaults["algorithm"],
                       help="sketching algorithm (default: %(default)s)")
    match.add_argument("--seed", type=int, default=defaults["seed"],
                       help="seed for every hash (default: %(default)s)")
    match.add_argument("-b", "--bands", type=int, default=0,
                       help="LSH bands; with --rows overrides the automatic "
                       "choice")
    match.add_argument("-r", "--rows", type=int, default=0,
                       help="LSH rows per band; see --bands")
    match.add_argument("--keep", choices=("first", "longest"),
                       default=defaults["keep"],
                       help="cluster representative (default: %(default)s)")
    match.add_argument("--linkage", choices=("single", "center"),
                       default=defaults["linkage"],
                       help="single: connected components; center: every "
                       "member verified against its representative "
                       "(default: %(default)s)")
    match.add_argument("--no-screen", dest="screen", action="store_false",
                       help="verify every LSH candidate exactly, without "
                       "first dropping those whose signatures rule them out "
                       "as the CLI does (spares holding every signature on "
                       "every worker)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python3 -m neardup.dask``: the command line. Returns the exit
    status: 0 done, 1 could not write, 2 bad flags or bad input."""
    parser = _parser()
    args = parser.parse_args(argv)
    say = (lambda line: None) if args.quiet else (
        lambda line: print(f"neardup.dask: {line}", file=sys.stderr,
                           flush=True))
    options = {name: getattr(args, name) for name in _CLUSTER_OPTIONS}
    from distributed import Client, LocalCluster

    cluster_ = None
    try:
        if args.scheduler == "local":
            cluster_ = LocalCluster(n_workers=args.workers,
                                    threads_per_worker=1, processes=True,
                                    memory_limit=args.memory_limit,
                                    dashboard_address=None)
            client = Client(cluster_)
        else:
            client = Client(args.scheduler)
        with client:
            say(f"scheduler {client.scheduler.address}, "
                f"{len(client.scheduler_info()['workers'])} workers")
            try:
                result = cluster(args.inputs, id_field=args.id_field,
                                 text_field=args.text_field,
                                 blocksize=args.blocksize,
                                 shuffle_partitions=args.shuffle_partitions,
                                 on_error=args.on_error, screen=args.screen,
                                 progress=say, **options)
            except (ValueError, TypeError, OSError) as error:
                print(f"neardup.dask: {error}", file=sys.stderr)
                return 2
            start = time.perf_counter()
            try:
                result.write_clusters(args.clusters)
                if args.pairs:
                    result.write_pairs(args.pairs)
            except OSError as error:
                print(f"neardup.dask: {error}", file=sys.stderr)
                return 1
            s, t = result.stats, result.times
            t["write"] = time.perf_counter() - start
            skipped = (f"; {s['skipped']:,} bad records skipped: " +
                       "; ".join(s["skipped_first"]) if s["skipped"] else "")
            say(f"{s['documents']:,} documents in {s['partitions']} "
                f"partitions; {s['empty_documents']:,} empty after "
                f"normalisation{skipped}. {s['bands']} bands x {s['rows']} "
                f"rows. {s['candidate_pairs']:,} candidate pairs (from "
                f"{s['band_collisions']:,} band collisions), "
                f"{s['verified_pairs']:,} verified with exact Jaccard >= "
                f"{args.threshold:.2f}; {s['clusters']:,} clusters "
                f"({args.linkage} linkage) holding "
                f"{s['clustered_documents']:,} documents. Time: " +
                ", ".join(f"{k} {v:.2f} s" for k, v in t.items()
                          if k != "total") +
                f"; total {t['total'] + t['write']:.2f} s.")
    finally:
        if cluster_ is not None:
            cluster_.close()
    return 0


if __name__ == "__main__":
    # Run as `python3 -m neardup.dask`, this file is __main__; tasks must
    # name functions workers can import, so run the importable module's.
    from neardup.dask import main as _main
    sys.exit(_main())
