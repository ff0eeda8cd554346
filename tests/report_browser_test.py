#!/usr/bin/python3
"""neardup report, looked at in a real browser (ctest label `browser`).

Debian's chromium, headless, loads the report page of
tests/data/sample-news.jsonl and of a generated corpus, runs the page's
script, and this test checks the DOM it leaves: the story count, the outlet
rows, a highlighted shared passage, that the outlet filter and the title
search hide the stories they should (driven through the page's address,
#outlet=N and #q=WORDS, as a shared link would), that the script finished,
and that nothing was logged to the console. It keeps a screenshot of each
page in BUILD/report-browser/ as an artefact.

Usage: report_browser_test.py NEARDUP_CLI SOURCE_DIR OUT_DIR [GENERATOR]
Exits 77 (ctest's SKIP_RETURN_CODE) with a message when chromium is not
installed or cannot start here; tools/install-deps.sh installs it.
Standard library only.
"""

import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

SKIP = 77


def skip(message):
    print(f"SKIP: {message}")
    sys.exit(SKIP)


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(browser, args, timeout=60):
    """Runs headless chromium; returns (stdout, console lines, returncode)."""
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
               "--no-first-run", "--disable-extensions",
               "--enable-logging=stderr", "--v=0",
               "--virtual-time-budget=5000"] + args
    env = dict(os.environ)
    env.setdefault("HOME", "/tmp")
    done = subprocess.run(command, capture_output=True, timeout=timeout,
                          env=env)
    stderr = done.stderr.decode("utf-8", "replace")
    console = [line for line in stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout.decode("utf-8", "replace"), console, done.returncode


class Dom(html.parser.HTMLParser):
    """The facts the test needs from a dumped DOM."""

    def __init__(self):
        super().__init__()
        self.clusters = []  # (hidden, data-outlets) per div.cluster.
        self.outlet_rows = 0
        self.marks = 0
        self.body_ready = None
        self.shown_text = None
        self.controls_hidden = None
        self._in_shown = False
        self._in_legend = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "div" and "cluster" in classes:
            self.clusters.append(("hidden" in a, a.get("data-outlets", "")))
        elif tag == "tr" and "outlet" in classes:
            self.outlet_rows += 1
        elif tag == "mark" and not self._in_legend:
            self.marks += 1
        elif tag == "p" and "legend" in classes:
            self._in_legend = True
        elif tag == "body":
            self.body_ready = a.get("data-ready")
        elif tag == "span" and a.get("id") == "shown":
            self._in_shown = True
            self.shown_text = ""
        elif tag == "div" and a.get("id") == "controls":
            self.controls_hidden = "hidden" in a

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_shown = False
        elif tag == "p":
            self._in_legend = False

    def handle_data(self, data):
        if self._in_shown:
            self.shown_text += data


def load(browser, page, fragment=""):
    url = "file://" + urllib.parse.quote(os.path.abspath(page)) + fragment
    try:
        out, console, code = chromium(browser, ["--dump-dom", url])
    except (OSError, subprocess.TimeoutExpired) as error:
        skip(f"chromium cannot start here: {error}")
    if code != 0 or "<html" not in out:
        skip(f"chromium cannot start here (exit status {code}, "
             f"{len(out)} bytes of DOM)")
    if console:
        fail(f"console messages on {url}:\n" + "\n".join(console))
    dom = Dom()
    dom.feed(out)
    if dom.body_ready != "1":
        fail(f"{url}: the page's script did not finish (no data-ready)")
    if dom.controls_hidden:
        fail(f"{url}: the script left the filter controls hidden")
    return dom


def check_report(browser, cli, inputs, out_dir, name, extra_args=()):
    page = os.path.join(out_dir, f"{name}.html")
    figures = os.path.join(out_dir, f"{name}.json")
    subprocess.run([cli, "report", *inputs, "--html", page, "--json", figures,
                    "--quiet", *extra_args], check=True)
    with open(figures, encoding="utf-8") as f:
        report = json.load(f)
    clusters = report["clusters"]
    outlets = [o["name"] for o in report["outlets"]]
    if not clusters:
        fail(f"{name}: the corpus gave no clusters; nothing to look at")

    dom = load(browser, page)
    if len(dom.clusters) != report["cluster_count"]:
        fail(f"{name}: {len(dom.clusters)} stories in the page, "
             f"{report['cluster_count']} in the JSON")
    if any(hidden for hidden, _ in dom.clusters):
        fail(f"{name}: stories hidden with no filter set")
    if dom.outlet_rows != len(outlets):
        fail(f"{name}: {dom.outlet_rows} outlet rows, {len(outlets)} outlets")
    if dom.marks == 0:
        fail(f"{name}: no highlighted shared passage")
    total = len(clusters)
    if dom.shown_text != f"{total} of {total} stories shown":
        fail(f"{name}: the count says {dom.shown_text!r}")

    # The outlet filter: pick the outlet in the fewest stories (but some).
    def stories_with(o):
        name_ = outlets[o]
        return sum(1 for c in clusters
                   if name_ in [c["original"]["outlet"]] +
                   [m["outlet"] for m in c["copies"]])
    candidates = [o for o in range(len(outlets)) if 0 < stories_with(o) < total]
    if not candidates:
        fail(f"{name}: no outlet whose filter would hide a story")
    outlet = min(candidates, key=stories_with)
    dom = load(browser, page, f"#outlet={outlet}")
    shown = [c for c in dom.clusters if not c[0]]
    if len(shown) != stories_with(outlet):
        fail(f"{name}: filter on outlet {outlets[outlet]!r} shows "
             f"{len(shown)} stories, expected {stories_with(outlet)}")
    if any(f" {outlet} " not in outlets_ for _, outlets_ in shown):
        fail(f"{name}: the filter shows a story without the outlet")
    if dom.shown_text != f"{len(shown)} of {total} stories shown":
        fail(f"{name}: after filtering the count says {dom.shown_text!r}")

    # The title search: a word of the first story's title.
    title = clusters[0]["original"]["title"]
    words = [w for w in re.findall(r"\w{4,}", title)]
    if words:
        word = max(words, key=len)
        expected = sum(1 for c in clusters
                       if word.lower() in (c["original"]["title"] or
                                           "(no title)").lower())
        dom = load(browser, page, "#q=" + urllib.parse.quote(word))
        shown = sum(1 for hidden, _ in dom.clusters if not hidden)
        if shown != expected:
            fail(f"{name}: searching {word!r} shows {shown} stories, "
                 f"expected {expected}")

    shot = os.path.join(out_dir, f"{name}.png")
    if os.path.exists(shot):
        os.remove(shot)
    chromium(browser, ["--screenshot=" + shot, "--window-size=1280,1400",
                       "--hide-scrollbars",
                       "file://" + urllib.parse.quote(os.path.abspath(page))])
    if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
        fail(f"{name}: no screenshot at {shot}")
    print(f"{name}: {total} stories, {len(outlets)} outlets, "
          f"{dom.marks} highlighted passages; screenshot {shot}")


def main():
    if len(sys.argv) < 4:
        fail(__doc__)
    cli, source_dir, out_dir = sys.argv[1:4]
    generator = sys.argv[4] if len(sys.argv) > 4 else ""
    browser = find_chromium()
    if browser is None:
        skip("chromium is not installed (tools/install-deps.sh installs it)")
    os.makedirs(out_dir, exist_ok=True)
    check_report(browser, cli,
                 [os.path.join(source_dir, "tests/data/sample-news.jsonl")],
                 out_dir, "sample-news")
    if generator and os.path.exists(generator):
        corpus = os.path.join(out_dir, "generated.jsonl")
        subprocess.run([generator, "--docs", "1500", "--out", corpus,
                        "--threads", "2"], check=True,
                       stdout=subprocess.DEVNULL)
        check_report(browser, cli, [corpus], out_dir, "generated")
    else:
        print("note: neardup_generate_news not built; generated corpus left "
              "out")
    print("PASS")


if __name__ == "__main__":
    main()
