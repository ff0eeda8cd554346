"""neardup.Sketcher: signatures, band keys and exact similarity."""

import itertools
import pickle
import random

import numpy
import pytest

import neardup


def brute_shingles(text, n):
    """The shingle set of a text as neardup defines it (docs/architecture.md):
    every window of n code points; a shorter text is one shingle."""
    if 0 < len(text) < n:
        return {text}
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def brute_similarity(a, b, n):
    sa, sb = brute_shingles(a, n), brute_shingles(b, n)
    if not sa or not sb:
        return (1.0 if not sa and not sb else 0.0), 1.0
    common = len(sa & sb)
    return common / len(sa | sb), common / min(len(sa), len(sb))


SMALL_TEXTS = ["", "a", "abc", "abcde", "abcdef", "the cat sat",
               "the cat sat on the mat", "the cat sat on a mat",
               "a mat the cat sat on", "xyzzy xyzzy xyzzy", "aaaaaaaa"]


@pytest.mark.parametrize("ngram", [1, 3, 5])
def test_exact_jaccard_and_containment_match_brute_force(ngram):
    sketcher = neardup.Sketcher(normalize="none", ngram=ngram)
    for a, b in itertools.product(SMALL_TEXTS, repeat=2):
        jaccard, containment = brute_similarity(a, b, ngram)
        assert sketcher.jaccard(a, b) == jaccard, (a, b)
        assert sketcher.containment(a, b) == containment, (a, b)
        assert len(sketcher.shingles(a)) == len(brute_shingles(a, ngram))


def test_random_texts_match_brute_force():
    rng = random.Random(12)
    sketcher = neardup.Sketcher(normalize="none", ngram=4)
    for _ in range(200):
        a = "".join(rng.choice("abc d") for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice("abc d") for _ in range(rng.randint(0, 40)))
        assert (sketcher.jaccard(a, b),
                sketcher.containment(a, b)) == brute_similarity(a, b, 4)


def test_normalisation_applies_before_shingling():
    sketcher = neardup.Sketcher()  # normalize="full"
    assert sketcher.jaccard("Hello,   WORLD", "hello, world") == 1.0
    assert neardup.Sketcher(normalize="none").jaccard(
        "Hello,   WORLD", "hello, world") < 1.0


def test_shapes_and_dtypes():
    sketcher = neardup.Sketcher(num_perm=64, threshold=0.8)
    texts = ["one text here", "another text", "", "one text here"]
    signatures = sketcher.sketch(texts)
    assert signatures.dtype == numpy.uint32
    assert signatures.shape == (4, 64)
    keys = sketcher.band_keys(signatures)
    assert keys.dtype == numpy.uint64
    assert keys.shape == (4, sketcher.bands)
    assert sketcher.bands * sketcher.rows <= 64
    assert sketcher.options["bands"] == sketcher.bands
    # Equal texts, equal signatures and keys; a single row works too.
    assert (signatures[0] == signatures[3]).all()
    assert (keys[0] == keys[3]).all()
    assert (sketcher.band_keys(signatures[1]) == keys[1]).all()
    # No shingles, no signature.
    signatures, present = sketcher.sketch(texts, return_present=True)
    assert present.dtype == numpy.bool_
    assert present.tolist() == [True, True, False, True]
    assert (signatures[2] == 0xFFFFFFFF).all()
    assert sketcher.sketch([]).shape == (0, 64)
    assert sketcher.band_keys(sketcher.sketch([])).shape == (0, sketcher.bands)
    shingles = sketcher.shingles("one text here")
    assert shingles.dtype == numpy.uint64
    assert (shingles[1:] > shingles[:-1]).all()


def test_bands_follow_the_threshold_as_in_cluster():
    # The pipeline's choice for the defaults (docs/bands.md).
    stats = neardup.cluster(["a b c d e f", "a b c d e f!"]).stats
    sketcher = neardup.Sketcher()
    assert (sketcher.bands, sketcher.rows) == (stats["bands"], stats["rows"])
    chosen = neardup.Sketcher(bands=8, rows=4)
    assert (chosen.bands, chosen.rows) == (8, 4)


def test_signatures_estimate_jaccard(sample_news):
    texts, _ = sample_news
    sketcher = neardup.Sketcher(num_perm=256)
    signatures = sketcher.sketch(texts)
    errors = []
    for i, j in [(0, 1), (0, 2), (0, 3), (1, 2), (0, 30)]:
        estimate = (signatures[i] == signatures[j]).mean()
        errors.append(abs(estimate - sketcher.jaccard(texts[i], texts[j])))
    assert max(errors) < 0.12


def test_exact_scores_equal_the_pipelines(sample_news):
    texts, ids = sample_news
    position = {id: i for i, id in enumerate(ids)}
    sketcher = neardup.Sketcher()
    pairs = neardup.cluster(texts, ids).pairs
    assert pairs
    for p in pairs:
        a, b = texts[position[p["a"]]], texts[position[p["b"]]]
        assert round(sketcher.jaccard(a, b), 6) == p["jaccard"]
        assert round(sketcher.containment(a, b), 6) == p["containment"]


def test_results_do_not_depend_on_threads(sample_news):
    texts, _ = sample_news
    one = neardup.Sketcher(threads=1)
    two = neardup.Sketcher(threads=2)
    assert (one.sketch(texts) == two.sketch(texts)).all()
    assert (one.band_keys(one.sketch(texts)) ==
            two.band_keys(two.sketch(texts))).all()


def test_seed_and_algorithm_change_signatures():
    text = ["a text long enough to have many shingles in it"]
    base = neardup.Sketcher().sketch(text)
    assert (neardup.Sketcher(seed=1).sketch(text) != base).any()
    assert (neardup.Sketcher(algorithm="classic").sketch(text) != base).any()


def test_band_keys_refuse_what_sketch_did_not_make():
    sketcher = neardup.Sketcher(num_perm=16)
    with pytest.raises(ValueError, match="NumPy uint32 array"):
        sketcher.band_keys(numpy.zeros((2, 16), numpy.int64))
    with pytest.raises(ValueError, match=r"shape \(documents, 16\) for "
                       r"num_perm=16, got \(2, 15\)"):
        sketcher.band_keys(numpy.zeros((2, 15), numpy.uint32))
    with pytest.raises(ValueError, match="NumPy uint32 array"):
        sketcher.band_keys([[1, 2, 3]])
    # Non-contiguous views are fine.
    wide = neardup.Sketcher(num_perm=32).sketch(["some text", "more text"])
    view = wide[:, ::2]
    assert (sketcher.band_keys(view) ==
            sketcher.band_keys(numpy.ascontiguousarray(view))).all()


def test_pickle_round_trip():
    sketcher = neardup.Sketcher(threshold=0.7, ngram=4, seed=99)
    copy = pickle.loads(pickle.dumps(sketcher))
    assert copy.options == sketcher.options
    assert (copy.sketch(["a b c d e"]) == sketcher.sketch(["a b c d e"])).all()
    assert "ngram=4" in repr(copy)
