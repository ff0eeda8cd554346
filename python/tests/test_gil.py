"""Calls that do work release the GIL, so other Python threads run meanwhile.

What is checked is the GIL, not a speed-up: a Python thread that ticks
a clock keeps ticking while another thread is inside sketch() or cluster().
With the GIL held for the call no Python code could run between its first
and last moments, whatever the load on the machine, so these tests do not
depend on timing (docs/python.md; speed is measured in bench/).
"""

import random
import threading
import time

import neardup

THREADS = 4
# Ticks nearer than this to either end of a call may come from the thread
# switches around it (Python's switch interval is 5 ms).
MARGIN = 0.02


def make_texts(seed, documents=6000):
    """English-like and Arabic-like words, different in every text."""
    rng = random.Random(seed)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=6))
             for _ in range(3000)]
    words += ["".join(rng.choices("ابتثجحخدذرزسشصضطظعغفقكلمنهوي", k=5))
              for _ in range(3000)]
    return [" ".join(rng.choices(words, k=150)) for _ in range(documents)]


class Ticker:
    """A Python thread that records the time at every turn of its loop."""

    def __init__(self):
        self.ticks = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        while not self._stop.is_set():
            self.ticks.append(time.perf_counter())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def inside(self, start, end):
        return sum(start + MARGIN < t < end - MARGIN for t in self.ticks)


def timed_call(fn):
    """fn()'s result, and when it started and ended."""
    start = time.perf_counter()
    result = fn()
    return result, start, time.perf_counter()


def test_python_threads_run_while_threads_sketch():
    sketcher = neardup.Sketcher(threads=1)
    # About 25 MB: a call lasts a quarter of a second on a quiet machine,
    # well beyond the margins.
    texts = make_texts(0, documents=24000)
    expected = sketcher.sketch(texts)
    calls = [None] * THREADS

    def run(i):
        calls[i] = timed_call(lambda: sketcher.sketch(texts))

    with Ticker() as ticker:
        threads = [threading.Thread(target=run, args=(i,))
                   for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # Four sketches side by side give what each gives alone.
    for result, _, _ in calls:
        assert (result == expected).all()
    for _, start, end in calls:
        # Long enough that the margins leave a window to look into.
        assert end - start > 4 * MARGIN
        assert ticker.inside(start, end) > 100, (start, end)


def test_cluster_releases_the_gil_too():
    texts = make_texts(7, documents=24000)
    with Ticker() as ticker:
        result, start, end = timed_call(
            lambda: neardup.cluster(texts, threads=1, containment=0))
    assert end - start > 4 * MARGIN
    assert ticker.inside(start, end) > 100
    assert len(result.unique) == len(texts)
