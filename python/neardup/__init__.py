"""neardup: near-duplicate text detection.

Finds every pair of texts whose exact Jaccard similarity over character
n-gram shingles reaches a threshold (or one text contained in the other),
and groups them into clusters of copies. MinHash and LSH only propose
candidates; every reported pair is scored exactly. This package is the
C++ library's Python face: the same options, defaults and results as the
``neardup`` command line (docs/python.md).

    >>> import neardup
    >>> result = neardup.cluster(["a b c d e f", "a b c d e f!", "other"])
    >>> result["clusters"]
    [{'cluster': '0', 'size': 2, 'members': [...]}]

Every call that does work releases the GIL. Bad options or input raise
ValueError, problems with files OSError, with the library's messages (which
name options by their command-line flags: ``--num-perm`` is ``num_perm=``).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict, Union

from . import _neardup
from ._neardup import Sketcher

if TYPE_CHECKING:
    import pandas  # Imported when to_pandas() is called.

__all__ = [
    "Cluster",
    "ClusterResult",
    "Decision",
    "Index",
    "Match",
    "Member",
    "Pair",
    "PassageRef",
    "PassagesResult",
    "Repeat",
    "Sketcher",
    "cluster",
    "defaults",
    "passages",
    "report",
    "to_pandas",
]

__version__: str = _neardup.__version__

Text = Union[str, bytes]
Id = Union[str, int, bytes]


# The records, for annotations. They are plain dicts at run time.

class Member(TypedDict):
    """A cluster member, scored against the cluster's representative."""
    id: str
    jaccard: float
    containment: float


class Cluster(TypedDict):
    """A cluster of copies, as ``neardup cluster`` writes it."""
    cluster: str
    size: int
    members: list[Member]


class Pair(TypedDict):
    """A verified pair, as ``neardup cluster --pairs`` writes it."""
    a: str
    b: str
    jaccard: float
    containment: float
    link: NotRequired[Literal["containment"]]
    # With boilerplate_df: the Jaccard without boilerplate shingles.
    weighted_jaccard: NotRequired[float]


class PassageRef(TypedDict):
    """A passage: byte offsets into a text's UTF-8 form."""
    id: str
    start: int
    end: int


class Repeat(PassageRef):
    """A repeated passage, as ``neardup passages`` writes it."""
    original: PassageRef
    jaccard: float
    internal: bool


class Match(TypedDict):
    """A verified match of an index decision."""
    id: str
    jaccard: float
    containment: float
    link: NotRequired[Literal["containment"]]


class Decision(TypedDict):
    """An index decision, as ``neardup index add`` prints it."""
    id: str
    status: Literal["new", "duplicate", "exists"]
    cluster: str
    matches: list[Match]
    merged: NotRequired[list[str]]


def defaults(kind: str) -> dict[str, Any]:
    """The default of every keyword argument of ``kind``.

    ``kind`` is "cluster", "passages", "index" (for ``Index.create``) or
    "sketcher". The values come from the C++ library's option structs,
    which the command line's flags default to as well.
    """
    return _neardup.defaults(kind)


# --- Records ---------------------------------------------------------------
#
# Records arrive as JSON text written by the command line's own writers, so
# they are identical to its output. JSON writes a similarity of exactly 0 or
# 1 as an integer; these make every similarity a float.


def _floats(record: Any, keys: tuple[str, ...]) -> None:
    for key in keys:
        record[key] = float(record[key])


def _load_clusters(data: bytes) -> list[Cluster]:
    clusters = json.loads(data)
    for c in clusters:
        for m in c["members"]:
            _floats(m, ("jaccard", "containment"))
    return clusters


def _load_pairs(data: bytes) -> list[Pair]:
    pairs = json.loads(data)
    for p in pairs:
        _floats(p, ("jaccard", "containment"))
        if "weighted_jaccard" in p:
            _floats(p, ("weighted_jaccard",))
    return pairs


def _load_repeats(data: bytes) -> list[Repeat]:
    repeats = json.loads(data)
    for r in repeats:
        _floats(r, ("jaccard",))
    return repeats


def _load_decisions(data: bytes) -> list[Decision]:
    decisions = json.loads(data)
    for d in decisions:
        for m in d["matches"]:
            _floats(m, ("jaccard", "containment"))
    return decisions


# --- pandas ----------------------------------------------------------------

_COLUMNS = {
    "members": ["cluster", "size", "id", "jaccard", "containment"],
    "clusters": ["cluster", "size", "members"],
    "pairs": ["a", "b", "jaccard", "containment", "link"],
    "repeats": [
        "id", "start", "end", "original_id", "original_start",
        "original_end", "jaccard", "internal",
    ],
    "decisions": ["id", "status", "cluster", "matches", "merged"],
}


def _guess_kind(records: list[Mapping[str, Any]]) -> str:
    first = records[0]
    if "members" in first:
        return "members"
    if "a" in first and "b" in first:
        return "pairs"
    if "original" in first:
        return "repeats"
    if "status" in first:
        return "decisions"
    raise ValueError(
        "to_pandas() does not know these records (keys "
        f"{sorted(first)}); pass kind=")


def _rows(records: list[Mapping[str, Any]],
          kind: str) -> list[dict[str, Any]]:
    if kind == "members":
        return [{"cluster": c["cluster"], "size": c["size"], **m}
                for c in records for m in c["members"]]
    if kind == "clusters":
        return [{"cluster": c["cluster"], "size": c["size"],
                 "members": [m["id"] for m in c["members"]]}
                for c in records]
    if kind == "pairs":
        # The command line writes "link" only for containment links.
        return [{**p, "link": p.get("link", "jaccard")} for p in records]
    if kind == "repeats":
        return [{"id": r["id"], "start": r["start"], "end": r["end"],
                 "original_id": r["original"]["id"],
                 "original_start": r["original"]["start"],
                 "original_end": r["original"]["end"],
                 "jaccard": r["jaccard"], "internal": r["internal"]}
                for r in records]
    if kind == "decisions":
        return [{**d, "merged": d.get("merged", [])} for d in records]
    raise ValueError(
        f"unknown kind {kind!r}; expected one of {sorted(_COLUMNS)}")


def to_pandas(records: Iterable[Mapping[str, Any]],
              kind: str | None = None) -> "pandas.DataFrame":
    """A pandas DataFrame of records this package returned.

    ``kind`` says what the records are; by default it is guessed from their
    keys:

    - "members": clusters, one row per member (cluster, size, id, jaccard,
      containment);
    - "clusters": clusters, one row per cluster (cluster, size, members as
      a list of ids);
    - "pairs": verified pairs (a, b, jaccard, containment, link, where link
      is "jaccard" or "containment");
    - "repeats": repeated passages, with the original's fields flattened
      (original_id, original_start, original_end);
    - "decisions": index decisions (id, status, cluster, matches, merged).
    """
    import pandas

    records = list(records)
    if kind is None:
        if not records:
            return pandas.DataFrame()
        kind = _guess_kind(records)
    rows = _rows(records, kind)
    return pandas.DataFrame(rows, columns=_COLUMNS[kind])


# --- cluster() ---------------------------------------------------------------


class ClusterResult(dict):
    """What :func:`cluster` found, as a dict of plain Python objects.

    Keys (also readable as attributes):

    - ``clusters``: clusters of two or more documents, in input order of
      their representatives, each exactly as ``neardup cluster`` writes it:
      ``{"cluster": id, "size": n, "members": [{"id", "jaccard",
      "containment"}, ...]}``, the representative first.
    - ``pairs``: every verified pair as ``neardup cluster --pairs`` writes
      it: ``{"a", "b", "jaccard", "containment"}``, plus ``"link":
      "containment"`` for a pair linked by containment alone.
    - ``unique``: one bool per input text, True for the texts that
      ``neardup cluster --dedup`` keeps (every text that is no other's
      copy).
    - ``stats``: counts from the run (documents, candidate pairs, bands,
      ...).
    """

    @property
    def clusters(self) -> list[Cluster]:
        """Clusters of two or more documents."""
        return self["clusters"]

    @property
    def pairs(self) -> list[Pair]:
        """Every verified pair."""
        return self["pairs"]

    @property
    def unique(self) -> list[bool]:
        """Per input text: True when --dedup would keep it."""
        return self["unique"]

    @property
    def stats(self) -> dict[str, int]:
        """Counts from the run."""
        return self["stats"]

    def to_pandas(self, kind: str = "members") -> "pandas.DataFrame":
        """The clusters ("members": one row per member, or "clusters": one
        row per cluster) or the pairs ("pairs") as a pandas DataFrame."""
        if kind == "pairs":
            return to_pandas(self.pairs, "pairs")
        if kind not in ("members", "clusters"):
            raise ValueError(
                f"kind must be 'members', 'clusters' or 'pairs', got {kind!r}")
        return to_pandas(self.clusters, kind)


def cluster(texts: Iterable[Text], ids: Iterable[Id] | None = None,
            **options: Any) -> ClusterResult:
    """Groups texts into clusters of near-duplicates, as ``neardup cluster``.

    ``texts`` is any iterable of str (or bytes holding UTF-8). ``ids`` names
    them (str or int, taken as its decimal text, like the command line's
    integer ids; unique); by default the texts are named "0", "1", ... by
    position.

    Options have the command line's names, with underscores, and its
    defaults (see ``neardup.defaults("cluster")``): threshold (0.5),
    containment (0.8), ngram (5), num_perm (128), normalize ("full"), seed,
    algorithm ("oph"), bands and rows (0: chosen from the threshold, or for
    Jaccard 0.5 when containment is on and the threshold is higher), keep
    ("first"), linkage ("center"), boilerplate_df (0: off; shingles held by
    more documents up to the later of a pair's two are boilerplate, as an
    :class:`Index` counts them, and pairs get "weighted_jaccard", their
    Jaccard without them), min_weighted_jaccard (0; with boilerplate_df, a
    pair links only at this weighted Jaccard or more),
    boilerplate_whole_corpus (False; True counts over every text instead,
    which no index can match) and threads (0: every core; the result is the
    same for any count).

    Returns a :class:`ClusterResult` whose clusters and pairs equal the
    records ``neardup cluster`` writes for the same texts and options.
    Raises ValueError for a bad option, a text that is None or not UTF-8,
    len(ids) != len(texts), or a duplicate id. Releases the GIL while it
    works.
    """
    clusters, pairs, unique, stats = _neardup.cluster(texts, ids, options)
    return ClusterResult(clusters=_load_clusters(clusters),
                         pairs=_load_pairs(pairs), unique=unique,
                         stats=stats)


# --- report() ----------------------------------------------------------------


def _write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Writes ``data`` to a temporary file beside ``path``, then renames it
    into place, so a failure leaves no partial file (as the CLI does)."""
    target = os.fspath(path)
    temp = f"{target}.tmp.{os.getpid()}"
    try:
        with open(temp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def report(inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
           *, html: str | os.PathLike[str] | None = None,
           json: str | os.PathLike[str] | None = None,
           **options: Any) -> dict[str, Any]:
    """The syndication report of ``neardup report`` (docs/report.md).

    ``inputs`` names JSON-lines files (plain, gzip or zstd), one path or
    several. The records' outlet, date and title come from the fields named
    by ``source_field`` ("source"), ``date_field`` ("date", ISO 8601) and
    ``title_field`` ("title"); ``id_field`` and ``text_field`` as for the
    command line. Clusters are found with the engine options of
    :func:`cluster` (threshold, containment, ngram, ...), or read from an
    earlier run's file with ``clusters=PATH`` or ``pairs=PATH``. ``title``
    is the page's heading.

    Writes the HTML page to ``html`` and the figures to ``json`` when given
    (each written whole or not at all), and returns the figures as a dict:
    the object ``neardup report --json`` writes (outlets, matrix, clusters
    with every copy's delay, scores and passage spans). Raises ValueError
    for bad options or input (an unknown id in a clusters file names its
    line), FileNotFoundError for a missing input. Releases the GIL while it
    works.
    """
    import json as json_module  # The parameter `json` hides the module.

    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    paths = [os.fsencode(p) for p in inputs]
    for key in ("clusters", "pairs"):
        if options.get(key) is not None:
            options[key] = os.fsdecode(options[key])
        else:
            options.pop(key, None)
    figures, page = _neardup.report(paths, {**options,
                                            "html": html is not None})
    if html is not None:
        _write_atomically(html, page)
    if json is not None:
        _write_atomically(json, figures)
    result: dict[str, Any] = json_module.loads(figures)
    return result


# --- passages() --------------------------------------------------------------


class PassagesResult(dict):
    """What :func:`passages` found, as a dict of plain Python objects.

    Keys (also readable as attributes):

    - ``repeats``: every repeated passage as ``neardup passages`` writes
      it: ``{"id", "start", "end", "original": {"id", "start", "end"},
      "jaccard", "internal"}``, spans being byte offsets into the text's
      UTF-8 form.
    - ``stripped``: with ``strip=True``, each text with its repeats
      removed, as ``neardup passages --strip`` writes it; else None.
    - ``stats``: counts from the run.
    """

    @property
    def repeats(self) -> list[Repeat]:
        """Every repeated passage, in input order."""
        return self["repeats"]

    @property
    def stripped(self) -> list[str] | None:
        """The texts without their repeats (strip=True), else None."""
        return self["stripped"]

    @property
    def stats(self) -> dict[str, int]:
        """Counts from the run."""
        return self["stats"]

    def to_pandas(self) -> "pandas.DataFrame":
        """The repeats as a pandas DataFrame, one row per repeat."""
        return to_pandas(self.repeats, "repeats")


def passages(texts: Iterable[Text], ids: Iterable[Id] | None = None,
             **options: Any) -> PassagesResult:
    """Finds repeated passages, as ``neardup passages``.

    Passages are paragraphs (long ones cut into windows of whole sentences)
    that repeat inside a text or across texts. ``texts`` and ``ids`` are as
    for :func:`cluster`.

    Options, with the command line's names and defaults (see
    ``neardup.defaults("passages")``): threshold (0.8), ngram, num_perm,
    normalize, seed, min_chars (80), max_chars (500), threads; and
    strip=True to get each text with its repeats of its own earlier
    passages removed (``--strip``), strip_shared=True to remove repeats of
    other texts' passages too (``--strip-shared``).

    Returns a :class:`PassagesResult`. Raises as :func:`cluster` does.
    Releases the GIL while it works.
    """
    repeats, stripped, stats = _neardup.passages(texts, ids, options)
    return PassagesResult(repeats=_load_repeats(repeats), stripped=stripped,
                          stats=stats)


# --- Index -------------------------------------------------------------------


class Index:
    """A persistent, incremental near-duplicate index (``neardup index``).

    ``Index(path)`` opens an index directory that ``Index.create`` (or
    ``neardup index create``) made; ``read_only=True`` opens it without the
    writer's lock, for queries beside a writing process. Decisions are dicts
    exactly as ``neardup index add`` and ``neardup stream`` print them::

        {"id": ..., "status": "new" | "duplicate" | "exists",
         "cluster": ..., "matches": [{"id", "jaccard", "containment"}, ...]}

    plus ``"merged": [...]`` when the document joined clusters together.

    Use it as a context manager, or call :meth:`close`, to release the
    directory. Opening raises OSError (FileNotFoundError,
    PermissionError, ...) with the library's message when the path is not
    an index. What opening repaired (a torn log tail) is in
    :attr:`warnings`, and is also issued as a RuntimeWarning.
    """

    def __init__(self, path: str | os.PathLike[str], *,
                 read_only: bool = False) -> None:
        self._path = os.fspath(path)
        # Bytes, so that any name the file system allows works.
        self._index = _neardup.Index(os.fsencode(self._path), bool(read_only))
        for warning in self._index.warnings:
            warnings.warn(f"neardup index {self._path}: {warning}",
                          RuntimeWarning, stacklevel=2)

    @classmethod
    def create(cls, path: str | os.PathLike[str], **options: Any) -> Index:
        """Makes an index directory and opens it for writing.

        The directory must be new or empty. Options are fixed for the
        index's life, with ``neardup index create``'s names and defaults
        (see ``neardup.defaults("index")``): threshold (0.8), containment
        (0.8; 0 for Jaccard links only, in a format-1 index older neardup
        reads), ngram, num_perm, normalize, algorithm, bands, rows, seed,
        boilerplate_df (0: off; above 0, each match gets
        "weighted_jaccard", its Jaccard without shingles held by more than
        that many indexed documents, as :func:`cluster` scores the same
        documents added in order) and min_weighted_jaccard (0).
        Raises
        ValueError for a bad option and OSError (FileExistsError when the
        path is a file or a non-empty directory) for the directory; nothing
        is left behind on error.
        """
        _neardup.Index.create(os.fsencode(path), options)
        return cls(path)

    @property
    def path(self) -> str:
        """The index directory, as given."""
        return self._path

    @property
    def read_only(self) -> bool:
        """Whether the index was opened read-only."""
        return self._index.read_only

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._index.closed

    @property
    def warnings(self) -> list[str]:
        """What opening found and repaired, one line each."""
        return list(self._index.warnings)

    @property
    def options(self) -> dict[str, Any]:
        """The parameters fixed at creation (bands and rows as chosen)."""
        return self._index.options()

    def add(self, texts: Iterable[Text], ids: Iterable[Id], *,
            max_matches: int = _neardup.DEFAULT_MAX_MATCHES,
            threads: int = 0,
            compact_at_mb: float = _neardup.DEFAULT_COMPACT_AT_MB,
            ) -> list[Decision]:
        """Adds documents in order and returns their decisions.

        The decisions are durable (synced to disk) when this returns, as
        ``neardup index add`` prints them only then. ``max_matches`` limits
        the matches listed per decision (every verified match still links
        clusters); ``threads`` prepares texts in parallel (0: every core;
        the decisions do not depend on it); the index is compacted when its
        log outgrows its snapshot and ``compact_at_mb`` megabytes (0:
        never), and a compaction that fails is a RuntimeWarning, since the
        documents are in by then.

        Errors that can be known in advance stop the batch before anything
        is written: ValueError for a bad text or id, ids and texts of
        different lengths, an id given twice, or an id already indexed with
        another text (the same text gives status "exists"). A write that
        fails raises OSError; documents before it stay added.
        """
        return _load_decisions(self._index.add(
            texts, ids, {"max_matches": max_matches, "threads": threads,
                         "compact_at_mb": compact_at_mb}))

    def query(self, texts: Iterable[Text], ids: Iterable[Id], *,
              max_matches: int = _neardup.DEFAULT_MAX_MATCHES,
              threads: int = 0) -> list[Decision]:
        """The decisions :meth:`add` would give, without adding anything.

        As ``neardup index query``: each document is decided on its own
        against the index as it is. Raises ValueError as :meth:`add`. A
        stored document whose data fails its checksum matches nothing, and
        a RuntimeWarning says so (run :meth:`verify`).
        """
        return _load_decisions(self._index.query(
            texts, ids, {"max_matches": max_matches, "threads": threads}))

    def remove(self, ids: Iterable[Id]) -> int:
        """Removes documents by id and returns how many were removed.

        Every id is checked first: if one is not indexed, ValueError names
        it and nothing is removed. An id listed twice is removed once. The
        removal is durable when this returns.
        """
        return self._index.remove(ids)

    def stats(self) -> dict[str, Any]:
        """``neardup index stats`` as a dict: documents, clusters, bytes on
        disk, format version and parameters."""
        return json.loads(self._index.stats())

    def verify(self) -> None:
        """Reads every stored byte and checks it against its checksum;
        OSError naming the first damage (``neardup index verify``)."""
        self._index.verify()

    def compact(self) -> None:
        """Writes a snapshot and starts an empty log, so a reopen maps the
        snapshot instead of replaying the log (``neardup index compact``)."""
        self._index.compact()

    def cluster_of(self, id: Id) -> str | None:
        """The cluster id of an indexed document, None if it is not
        indexed."""
        return self._index.cluster_of(id)

    def close(self) -> None:
        """Releases the index directory (and a writer's lock). Calls after
        this raise ValueError; closing twice is fine."""
        self._index.close()

    def __contains__(self, id: object) -> bool:
        """Whether the id is indexed."""
        return self._index.contains(id)

    def __len__(self) -> int:
        """Live documents in the index."""
        return self._index.documents()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else (
            "read-only" if self.read_only else "open")
        return f"neardup.Index({self._path!r}, {state})"
