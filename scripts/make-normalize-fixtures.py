#!/usr/bin/env python3
"""Derives the normalizer's crafted fixtures from real captures (see fixtures/README.md).

github-incident-f0mhbz9xn497.resolved-before-started.json: the captured single-incident
document with `resolved_at` moved three minutes before `started_at`; nothing else changed.
"""
import json
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "statuspage"
doc = json.loads((root / "github-incident-f0mhbz9xn497.json").read_text())
assert doc["incident"]["started_at"] == "2023-05-09T11:32:57.678Z"
doc["incident"]["resolved_at"] = "2023-05-09T11:30:00.000Z"
(root / "github-incident-f0mhbz9xn497.resolved-before-started.json").write_text(
    json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
)

# Issue 19's two Statuspage shapes, from captured GitHub incidents (the capture's own updates,
# stamps and components; the changes are named in fixtures/README.md).
samples = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "samples"
incidents = samples / "statuspage" / "github-incidents"
if incidents.is_dir():
    # A structured resolution before the start while the text states a window: smdz34v7j8q0
    # ("From 16:24-16:43 UTC, multiple GitHub services were down") with `resolved_at` moved
    # to 16:28, two minutes before `started_at`.
    doc = json.loads((incidents / "smdz34v7j8q0.json").read_text())
    assert doc["incident"]["started_at"] == "2023-09-05T16:30:39.531Z"
    doc["incident"]["resolved_at"] = "2023-09-05T16:28:00.000Z"
    (root / "github-incident-smdz34v7j8q0.resolved-before-started.json").write_text(
        json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    )
    # A first update that states two windows: 12m34s4gmx6c (one update, "Webhook delivery was
    # impacted from 00:18 UTC to 00:40 UTC", labelled resolved) with its text given a second
    # window in issue 19's words.
    doc = json.loads((incidents / "12m34s4gmx6c.json").read_text())
    [update] = doc["incident"]["incident_updates"]
    assert "Webhook delivery was impacted from 00:18 UTC to 00:40 UTC." in update["body"]
    update["body"] = update["body"].replace(
        "from 00:18 UTC to 00:40 UTC",
        "from 00:05UTC to 00:11UTC and again from 00:18UTC to 00:40UTC",
        1,
    )
    (root / "github-incident-12m34s4gmx6c.two-windows.json").write_text(
        json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    )
