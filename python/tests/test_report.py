"""neardup.report(): the syndication report's Python face (docs/report.md)."""

import json
import subprocess

import pytest

import neardup
from conftest import CLI, SAMPLE_NEWS


def test_same_figures_as_the_command_line(tmp_path):
    page = tmp_path / "report.html"
    figures = neardup.report(SAMPLE_NEWS, html=page, json=tmp_path / "r.json")
    subprocess.run([str(CLI), "report", str(SAMPLE_NEWS), "--json",
                    str(tmp_path / "cli.json"), "--quiet"], check=True)
    cli = json.loads((tmp_path / "cli.json").read_text(encoding="utf-8"))
    assert figures == cli
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == cli
    assert figures["documents"] == 43
    assert figures["cluster_count"] == len(figures["clusters"]) == 6
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count('class="cluster"') == 6


def test_original_is_the_earliest_and_changes_are_spans(tmp_path):
    story = ("The harbour council voted on Tuesday to rebuild the old pier, "
             "at a cost of twelve million, after a debate of six hours.")
    extra = ("Fishermen who use the pier said they would wait to see the "
             "plans before judging them, and asked to be consulted.")
    corpus = tmp_path / "news.jsonl"
    corpus.write_text(
        json.dumps({"id": "copy", "source": "Courier",
                    "date": "2024-03-12T12:00:00Z", "title": "Pier",
                    "text": story + "\n\n" + extra}) + "\n" +
        json.dumps({"id": "orig", "source": "Wire",
                    "date": "2024-03-12T10:00:00+01:00", "title": "Pier",
                    "text": story}) + "\n", encoding="utf-8")
    figures = neardup.report([corpus], threshold=0.3, threads=1)
    (cluster,) = figures["clusters"]
    assert cluster["original"]["id"] == "orig"
    (copy,) = cluster["copies"]
    assert copy["delay_seconds"] == 3 * 3600
    assert copy["shared"] == [0] and copy["dropped"] == []
    (added,) = copy["added"]
    assert (story + "\n\n" + extra).encode()[added[0]:added[1]].decode() == extra


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        neardup.report(tmp_path / "missing.jsonl")
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        neardup.report(SAMPLE_NEWS, colour="red")
    other = tmp_path / "clusters.jsonl"
    other.write_text('{"cluster":"x","size":2,"members":[{"id":"x"},'
                     '{"id":"y"}]}\n', encoding="utf-8")
    page = tmp_path / "page.html"
    with pytest.raises(ValueError, match=r"clusters.jsonl:1: id \"x\""):
        neardup.report(SAMPLE_NEWS, clusters=other, html=page)
    assert not page.exists()
