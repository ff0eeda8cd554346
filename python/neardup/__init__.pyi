"""Type stubs for neardup: the public API with its keyword options spelled
out. Defaults are the C++ library's (``neardup.defaults(kind)``)."""

import os
from collections.abc import Iterable
from typing import Any, Literal, NotRequired, TypedDict

import pandas

from ._neardup import Sketcher as Sketcher

__version__: str

Text = str | bytes
Id = str | int | bytes
_Normalize = Literal["none", "ws", "full"]

class Member(TypedDict):
    id: str
    jaccard: float
    containment: float

class Cluster(TypedDict):
    cluster: str
    size: int
    members: list[Member]

class Pair(TypedDict):
    a: str
    b: str
    jaccard: float
    containment: float
    link: NotRequired[Literal["containment"]]
    weighted_jaccard: NotRequired[float]

class PassageRef(TypedDict):
    id: str
    start: int
    end: int

class Repeat(PassageRef):
    original: PassageRef
    jaccard: float
    internal: bool

class Match(TypedDict):
    id: str
    jaccard: float
    containment: float

class Decision(TypedDict):
    id: str
    status: Literal["new", "duplicate", "exists"]
    cluster: str
    matches: list[Match]
    merged: NotRequired[list[str]]

class ClusterResult(dict[str, Any]):
    @property
    def clusters(self) -> list[Cluster]: ...
    @property
    def pairs(self) -> list[Pair]: ...
    @property
    def unique(self) -> list[bool]: ...
    @property
    def stats(self) -> dict[str, int]: ...
    def to_pandas(
        self, kind: Literal["members", "clusters", "pairs"] = ...
    ) -> pandas.DataFrame: ...

class PassagesResult(dict[str, Any]):
    @property
    def repeats(self) -> list[Repeat]: ...
    @property
    def stripped(self) -> list[str] | None: ...
    @property
    def stats(self) -> dict[str, int]: ...
    def to_pandas(self) -> pandas.DataFrame: ...

def defaults(
    kind: Literal["cluster", "passages", "index", "sketcher"]
) -> dict[str, Any]: ...
# Record parsers neardup.dask shares (JSON arrays of the CLI's records).
def _load_clusters(data: bytes) -> list[Cluster]: ...
def _load_pairs(data: bytes) -> list[Pair]: ...
def to_pandas(
    records: Iterable[Any],
    kind: Literal["members", "clusters", "pairs", "repeats", "decisions"]
    | None = ...,
) -> pandas.DataFrame: ...
def cluster(
    texts: Iterable[Text],
    ids: Iterable[Id] | None = ...,
    *,
    threshold: float = ...,
    containment: float = ...,
    ngram: int = ...,
    num_perm: int = ...,
    normalize: _Normalize = ...,
    seed: int = ...,
    algorithm: Literal["oph", "classic"] = ...,
    bands: int = ...,
    rows: int = ...,
    keep: Literal["first", "longest"] = ...,
    linkage: Literal["single", "center"] = ...,
    boilerplate_df: int = ...,
    min_weighted_jaccard: float = ...,
    boilerplate_whole_corpus: bool = ...,
    threads: int = ...,
) -> ClusterResult: ...
def passages(
    texts: Iterable[Text],
    ids: Iterable[Id] | None = ...,
    *,
    threshold: float = ...,
    ngram: int = ...,
    num_perm: int = ...,
    normalize: _Normalize = ...,
    seed: int = ...,
    min_chars: int = ...,
    max_chars: int = ...,
    threads: int = ...,
    strip: bool = ...,
    strip_shared: bool = ...,
) -> PassagesResult: ...

def report(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    html: str | os.PathLike[str] | None = ...,
    json: str | os.PathLike[str] | None = ...,
    clusters: str | os.PathLike[str] | None = ...,
    pairs: str | os.PathLike[str] | None = ...,
    source_field: str = ...,
    date_field: str = ...,
    title_field: str = ...,
    id_field: str = ...,
    text_field: str = ...,
    title: str = ...,
    threshold: float = ...,
    containment: float = ...,
    ngram: int = ...,
    num_perm: int = ...,
    normalize: _Normalize = ...,
    seed: int = ...,
    algorithm: Literal["oph", "classic"] = ...,
    bands: int = ...,
    rows: int = ...,
    keep: Literal["first", "longest"] = ...,
    linkage: Literal["single", "center"] = ...,
    threads: int = ...,
) -> dict[str, Any]: ...

class Index:
    def __init__(
        self, path: str | os.PathLike[str], *, read_only: bool = ...
    ) -> None: ...
    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        threshold: float = ...,
        containment: float = ...,
        ngram: int = ...,
        num_perm: int = ...,
        normalize: _Normalize = ...,
        algorithm: Literal["oph", "classic"] = ...,
        bands: int = ...,
        rows: int = ...,
        seed: int = ...,
        boilerplate_df: int = ...,
        min_weighted_jaccard: float = ...,
    ) -> Index: ...
    @property
    def path(self) -> str: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def closed(self) -> bool: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def options(self) -> dict[str, Any]: ...
    def add(
        self,
        texts: Iterable[Text],
        ids: Iterable[Id],
        *,
        max_matches: int = ...,
        threads: int = ...,
        compact_at_mb: float = ...,
    ) -> list[Decision]: ...
    def query(
        self,
        texts: Iterable[Text],
        ids: Iterable[Id],
        *,
        max_matches: int = ...,
        threads: int = ...,
    ) -> list[Decision]: ...
    def remove(self, ids: Iterable[Id]) -> int: ...
    def stats(self) -> dict[str, Any]: ...
    def verify(self) -> None: ...
    def compact(self) -> None: ...
    def cluster_of(self, id: Id) -> str | None: ...
    def close(self) -> None: ...
    def __contains__(self, id: object) -> bool: ...
    def __len__(self) -> int: ...
    def __enter__(self) -> Index: ...
    def __exit__(self, *exc_info: object) -> None: ...
