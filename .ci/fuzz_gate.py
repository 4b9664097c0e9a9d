"""Read a Schemathesis NDJSON report; print failures per check; fail on the gating checks.

    python .ci/fuzz_gate.py REPORT.ndjson CHECK,CHECK,... LABEL

Schemathesis runs every check (``--checks all``) and its own exit code says "some check failed";
this script decides instead: the gating checks must have 0 failures, the others are reported.
"""

import json
import sys
from collections import defaultdict


def failures_of(path: str) -> dict[str, dict[tuple[str, str], int]]:
    """``{check: {(operation, title and message): count}}`` over the run's final scenarios."""
    found: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    with open(path, encoding="utf-8") as report:
        for line in report:
            event = json.loads(line).get("ScenarioFinished")
            if not event:
                continue
            recorder = event["recorder"]
            for checks in recorder.get("checks", {}).values():
                for check in checks:
                    if check["status"] != "failure":
                        continue
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    what = f"{failure.get('code', '?')} {failure.get('title', '')}: " + (
                        failure.get("message", "").splitlines() or [""])[0]
                    found[check["name"]][(recorder["label"], what)] += 1
    return found


def main(path: str, gating: str, label: str) -> int:
    gate = set(gating.split(","))
    found = failures_of(path)
    print(f"---- {label}: failures per check (gating: {', '.join(sorted(gate))})")
    for name in sorted(gate | set(found)):
        rows = found.get(name, {})
        mark = "GATE" if name in gate else "info"
        print(f"  [{mark}] {name}: {len(rows)} distinct failure(s)")
        if name in gate:
            for (operation, what), count in sorted(rows.items()):
                print(f"         {operation} — {what} (x{count})")
    bad = sum(len(found.get(name, {})) for name in gate)
    print(f"---- {label}: {'PASS' if bad == 0 else 'FAIL'} ({bad} gating failure(s))")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
