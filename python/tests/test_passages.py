"""neardup.passages() gives what `neardup passages` writes."""

import pytest

import neardup
from conftest import DATA, SAMPLE_NEWS, cli_flags, load_corpus, read_jsonl

ARABIC_REPEATS = DATA / "passages-arabic-repeats.jsonl"


@pytest.mark.parametrize("path, options", [
    (ARABIC_REPEATS, {}),
    (SAMPLE_NEWS, {}),
    (ARABIC_REPEATS, {"threshold": 0.6, "min_chars": 40, "max_chars": 200}),
])
def test_equals_the_cli(cli, tmp_path, path, options):
    texts, ids = load_corpus(path)
    result = neardup.passages(texts, ids, **options)
    out = tmp_path / "repeats.jsonl"
    cli("passages", path, "-q", "--output", out, *cli_flags(options))
    assert result.repeats == read_jsonl(out)
    assert result.stripped is None
    if path == ARABIC_REPEATS:
        assert result.repeats, "the file holds repeated paragraphs"


@pytest.mark.parametrize("shared", [False, True])
def test_strip_equals_the_cli(cli, tmp_path, shared):
    texts, ids = load_corpus(ARABIC_REPEATS)
    result = neardup.passages(texts, ids, strip=True, strip_shared=shared)
    out = tmp_path / "clean.jsonl"
    cli("passages", ARABIC_REPEATS, "-q", "--output", "", "--strip", out,
        *(["--strip-shared"] if shared else []))
    assert result.stripped == [r["text"] for r in read_jsonl(out)]
    assert result.stripped != texts


def test_spans_are_utf8_byte_offsets():
    texts, ids = load_corpus(ARABIC_REPEATS)
    result = neardup.passages(texts, ids)
    position = {id: i for i, id in enumerate(ids)}
    sketcher = neardup.Sketcher()
    for r in result.repeats[:20]:
        text = texts[position[r["id"]]].encode()
        passage = text[r["start"]:r["end"]].decode()
        original_text = texts[position[r["original"]["id"]]].encode()
        original = original_text[r["original"]["start"]:
                                 r["original"]["end"]].decode()
        assert round(sketcher.jaccard(passage, original), 6) == r["jaccard"]


def test_to_pandas():
    texts, ids = load_corpus(ARABIC_REPEATS)
    result = neardup.passages(texts, ids)
    frame = result.to_pandas()
    assert len(frame) == len(result.repeats)
    assert "original_id" in frame.columns
    assert result.stats["repeated"] == len(result.repeats)


def test_strip_shared_needs_strip():
    with pytest.raises(ValueError, match="strip_shared=True needs strip=True"):
        neardup.passages(["text"], strip_shared=True)
