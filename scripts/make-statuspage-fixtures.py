#!/usr/bin/env python3
"""Rebuilds two fixtures from ../shared/samples/statuspage/ (provenance in fixtures/README.md):

- emma-incidents-2019.json: the JSON the page served, cut out of the `var statusHistory = ...`
  JavaScript wrapper the recording repository stored it in (content unchanged).
- github-incidents-all.json: the 771 single-incident documents combined into one
  /api/v2/incidents.json-shaped document (`page` + `incidents`, newest first, as the API lists).
"""
import glob, json, os, sys

samples = sys.argv[1] if len(sys.argv) > 1 else "../shared/samples/statuspage"
out = sys.argv[2] if len(sys.argv) > 2 else "fixtures/statuspage"

text = open(os.path.join(samples, "emma-incidents-2019.js"), encoding="utf-8").read()
start = text.index("{")
doc, end = json.JSONDecoder().raw_decode(text, start)
with open(os.path.join(out, "emma-incidents-2019.json"), "w", encoding="utf-8") as f:
    f.write(text[start:end] + "\n")

docs = [json.load(open(p, encoding="utf-8")) for p in sorted(glob.glob(os.path.join(samples, "github-incidents", "*.json")))]
page = max((d["page"] for d in docs), key=lambda p: p["updated_at"])
incidents = sorted((d["incident"] for d in docs), key=lambda i: (i["created_at"], i["id"]), reverse=True)
with open(os.path.join(out, "github-incidents-all.json"), "w", encoding="utf-8") as f:
    json.dump({"page": page, "incidents": incidents}, f, ensure_ascii=False, separators=(",", ":"))
    f.write("\n")
print(len(incidents), "incidents,", sum(len(i["incident_updates"]) for i in incidents), "updates")
