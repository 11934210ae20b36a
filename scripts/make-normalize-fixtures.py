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
