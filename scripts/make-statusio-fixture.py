#!/usr/bin/env python3
"""Rebuilds fixtures/statusio/nintex-status.served-part.json from
../shared/samples/statusio/nintex-status-and-scraped-incidents.json (provenance in
fixtures/README.md).

The sample is a scraper's file: it kept the `result` of https://api.status.io/1.0/status/<id>
(`status_overall`, the components under `status`, `maintenance`) but renamed `status` to
`components`, added to each component the `days` and `uptime_percentage` of another endpoint,
and replaced `incidents` with incidents it scraped from HTML. This script keeps only what the
API served, under the API's own names: `{"result": {"status_overall", "status", "maintenance"}}`.
`incidents` is left out: what the API listed there was not kept.
"""
import json, os, sys

sample = sys.argv[1] if len(sys.argv) > 1 else "../shared/samples/statusio/nintex-status-and-scraped-incidents.json"
out = sys.argv[2] if len(sys.argv) > 2 else "fixtures/statusio/nintex-status.served-part.json"

doc = json.load(open(sample, encoding="utf-8"))
added = {"days", "uptime_percentage"}
components = [{k: v for k, v in c.items() if k not in added} for c in doc["components"]]
result = {
    "status_overall": doc["status_overall"],
    "status": components,
    "maintenance": doc["maintenance"],
}
with open(out, "w", encoding="utf-8") as f:
    json.dump({"result": result}, f, ensure_ascii=False, indent=2)
    f.write("\n")
print(len(components), "components,", sum(len(c["containers"]) for c in components), "containers")
