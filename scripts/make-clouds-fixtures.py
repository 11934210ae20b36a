#!/usr/bin/env python3
"""Builds the derived fixtures of the cloud kinds from the copied captures in fixtures/
(provenance in fixtures/README.md). Run from the repository root.

- gcp/incidents-2022-07.expected.json: what a reader of incidents.json must find, read here
  independently with Python's datetime: per incident its id, begin and end in UTC, and its
  updates' times in UTC (oldest first) with their status words; plus the totals.
- aws/currentevents-2026-03-trimmed.utf16le-bom.json: the currentevents capture re-encoded as
  AWS serves it (UTF-16 little-endian with a byte-order mark); the capture was saved as UTF-8.
"""
import json
from datetime import datetime, timezone


def utc(text):
    t = datetime.fromisoformat(text).astimezone(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("" if t.microsecond == 0 else ".%03d" % (t.microsecond // 1000)) + "Z"


incidents = json.load(open("fixtures/gcp/incidents-2022-07.json", encoding="utf-8"))
expected = {
    "incidents": len(incidents),
    "updates": sum(len(i["updates"]) for i in incidents),
    "by_id": [
        {
            "id": i["id"],
            "begin": utc(i["begin"]),
            "end": utc(i["end"]) if i.get("end") else None,
            "updates": [[utc(u["when"]), u["status"]] for u in sorted(i["updates"], key=lambda u: u["when"])],
        }
        for i in incidents
    ],
}
with open("fixtures/gcp/incidents-2022-07.expected.json", "w", encoding="utf-8") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")

text = open("fixtures/aws/currentevents-2026-03-trimmed-utf8.json", encoding="utf-8").read()
with open("fixtures/aws/currentevents-2026-03-trimmed.utf16le-bom.json", "wb") as f:
    f.write(b"\xff\xfe" + text.encode("utf-16-le"))
print(expected["incidents"], "gcp incidents,", expected["updates"], "updates")
