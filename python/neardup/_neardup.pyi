"""Type stubs for neardup._neardup, the C++ core behind ``neardup``.

Use the package's own functions; these return JSON text that ``neardup``
parses into Python objects.
"""

from collections.abc import Iterable, Sequence
from typing import Any, Literal, overload

import numpy
from numpy.typing import ArrayLike, NDArray

__version__: str
DEFAULT_SEED: int
DEFAULT_MAX_MATCHES: int
DEFAULT_COMPACT_AT_MB: float
MAX_THREADS: int

def defaults(kind: str) -> dict[str, Any]: ...
def cluster(
    texts: Iterable[str | bytes],
    ids: Iterable[str | int | bytes] | None,
    options: dict[str, Any],
) -> tuple[bytes, bytes, list[bool], dict[str, int]]: ...
def passages(
    texts: Iterable[str | bytes],
    ids: Iterable[str | int | bytes] | None,
    options: dict[str, Any],
) -> tuple[bytes, list[str] | None, dict[str, int]]: ...

def report(
    inputs: list[bytes], options: dict[str, Any]
) -> tuple[bytes, bytes | None]: ...
def build_clusters(
    a: ArrayLike,
    b: ArrayLike,
    lengths: ArrayLike,
    linkage: str,
    keep: str,
) -> tuple[NDArray[numpy.uint32], NDArray[numpy.int64], NDArray[numpy.uint32]]: ...
def pairs_jsonl(
    ids: Iterable[str | int | bytes],
    a: ArrayLike,
    b: ArrayLike,
    jaccard: ArrayLike,
    containment: ArrayLike,
    containment_link: ArrayLike,
) -> bytes: ...
def clusters_jsonl(
    ids: Iterable[str | int | bytes],
    offsets: ArrayLike,
    members: ArrayLike,
    jaccard: ArrayLike,
    containment: ArrayLike,
) -> bytes: ...
def read_input(path: str | bytes) -> bytes: ...

class Sketcher:
    def __init__(
        self,
        *,
        threshold: float = ...,
        ngram: int = ...,
        num_perm: int = ...,
        normalize: Literal["none", "ws", "full"] = ...,
        algorithm: Literal["oph", "classic"] = ...,
        bands: int = ...,
        rows: int = ...,
        seed: int = ...,
        threads: int = ...,
    ) -> None: ...
    @overload
    def sketch(
        self,
        texts: Iterable[str | bytes],
        *,
        return_present: Literal[False] = ...,
    ) -> NDArray[numpy.uint32]: ...
    @overload
    def sketch(
        self, texts: Iterable[str | bytes], *, return_present: Literal[True]
    ) -> tuple[NDArray[numpy.uint32], NDArray[numpy.bool_]]: ...
    def band_keys(
        self, signatures: NDArray[numpy.uint32]
    ) -> NDArray[numpy.uint64]: ...
    def shingles(self, text: str | bytes) -> NDArray[numpy.uint64]: ...
    def jaccard(self, a: str | bytes, b: str | bytes) -> float: ...
    def containment(self, a: str | bytes, b: str | bytes) -> float: ...
    @overload
    def compare_pairs(
        self,
        texts_a: Iterable[str | bytes],
        texts_b: Iterable[str | bytes],
        *,
        return_lengths: Literal[False] = ...,
    ) -> tuple[NDArray[numpy.float64], NDArray[numpy.float64]]: ...
    @overload
    def compare_pairs(
        self,
        texts_a: Iterable[str | bytes],
        texts_b: Iterable[str | bytes],
        *,
        return_lengths: Literal[True],
    ) -> tuple[
        NDArray[numpy.float64],
        NDArray[numpy.float64],
        NDArray[numpy.uint64],
        NDArray[numpy.uint64],
    ]: ...
    def screen_pairs(
        self,
        blocks: Sequence[NDArray[numpy.uint32]],
        a: ArrayLike,
        b: ArrayLike,
        min_jaccard: float,
    ) -> NDArray[numpy.bool_]: ...
    @property
    def num_perm(self) -> int: ...
    @property
    def bands(self) -> int: ...
    @property
    def rows(self) -> int: ...
    @property
    def options(self) -> dict[str, Any]: ...

class Index:
    def __init__(self, path: str | bytes, read_only: bool) -> None: ...
    @staticmethod
    def create(path: str | bytes, options: dict[str, Any]) -> None: ...
    def add(
        self,
        texts: Iterable[str | bytes],
        ids: Iterable[str | int | bytes],
        options: dict[str, Any],
    ) -> bytes: ...
    def query(
        self,
        texts: Iterable[str | bytes],
        ids: Iterable[str | int | bytes],
        options: dict[str, Any],
    ) -> bytes: ...
    def remove(self, ids: Iterable[str | int | bytes]) -> int: ...
    def stats(self) -> bytes: ...
    def verify(self) -> None: ...
    def compact(self) -> None: ...
    def contains(self, id: object) -> bool: ...
    def cluster_of(self, id: str | int | bytes) -> str | None: ...
    def documents(self) -> int: ...
    def options(self) -> dict[str, Any]: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def warnings(self) -> list[str]: ...
