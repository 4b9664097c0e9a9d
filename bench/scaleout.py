"""One gunicorn instance behind nginx against two: claims/s, a member page and a dashboard.

Builds the scale-out test's real parts (tests/ops/stack.py): a PostgreSQL primary and its
streaming replica on free ports, the app migrated and seeded (``--members`` members with API
tokens, 12-slot tasks), gunicorn instances started with deploy/gunicorn.conf.py (2 workers
each), and Debian's nginx in front. Then, through nginx, for each layout in turn — one instance
(2 workers), one instance with 4 workers, two instances (2 workers each) — it measures:

- trivial: ``GET /api/v1/me`` with rotating bearer tokens (the yardstick of the run);
- claims: a claim rush, every member once on a fresh 12-slot task (exactly 12 must win);
- member page: ``GET /tasks`` (HTML) with a member's session cookie;
- dashboard: ``GET /review/district?table=community`` with the district admin's session
  (read from the replica).

Prints requests per second, each as a ratio of the trivial endpoint's rate in the same round,
and the CPU time the server side (gunicorn workers, nginx, both PostgreSQL clusters; not the
client) spent per request — steadier than rates on a busy machine — then removes every
process, cluster and folder it made.

    python bench/scaleout.py                       # all three layouts
    python bench/scaleout.py --requests 600 --concurrency 16
"""

import argparse
import http.client
import http.cookiejar
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import proc_stats  # noqa: E402

from tests.core.test_outage import _get, _opener  # noqa: E402
from tests.ops.stack import PASSWORD, Stack, missing_parts  # noqa: E402


def login_cookie(port: int, phone: str) -> str:
    """The session cookie header of a login through nginx."""
    import re

    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    base = f"http://127.0.0.1:{port}"
    body = _get(opener, f"{base}/login")[2]
    csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"csrf_token": csrf, "phone": phone, "password": PASSWORD})
    assert _get(opener, f"{base}/login", data=form.encode())[0] == 302
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def server_cpu_seconds(roots: list[int]) -> float:
    """CPU time used so far by the server side: each root (gunicorn masters, nginx, both
    postmasters), its live descendants, and the children they reaped."""
    procs = proc_stats()
    children: dict[int, list[int]] = {}
    for pid, fields in procs.items():
        children.setdefault(int(fields[1]), []).append(pid)
    total, pending = 0, [pid for pid in roots if pid in procs]
    while pending:
        pid = pending.pop()
        total += sum(int(f) for f in procs[pid][11:15])  # its own and its reaped children's
        pending += children.get(pid, [])
    return total / os.sysconf("SC_CLK_TCK")


def server_roots(stack: Stack, upstreams: list[int]) -> list[int]:
    roots = [stack.servers[port].pid for port in upstreams] + [stack.nginx.pid]
    for cluster in (stack.primary, stack.replica):
        roots.append(int((cluster.data / "postmaster.pid").read_text().split()[0]))
    return roots


def hammer(port: int, method: str, paths_and_headers: list[tuple[str, dict]],
           concurrency: int, roots: list[int]) -> dict:
    """Send every (path, headers) once from ``concurrency`` threads on keep-alive connections;
    requests per second, server CPU ms per request, status counts and 409 codes."""
    local = threading.local()
    statuses: Counter = Counter()
    lock = threading.Lock()

    def one(item):
        path, headers = item
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn = local.conn
        try:
            conn.request(method, path, body=b"" if method == "POST" else None, headers=headers)
            answer = conn.getresponse()
            body = answer.read()
            status = answer.status
            code = json.loads(body)["error"]["code"] if status == 409 else ""
        except (OSError, http.client.HTTPException) as error:
            local.conn = None
            status, code = f"error {type(error).__name__}", ""
        with lock:
            statuses[(status, code)] += 1

    cpu, started = server_cpu_seconds(roots), time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, paths_and_headers))
    elapsed = time.perf_counter() - started
    cpu_ms = (server_cpu_seconds(roots) - cpu) * 1000 / len(paths_and_headers)
    return {"per_second": len(paths_and_headers) / elapsed, "cpu_ms": cpu_ms,
            "statuses": dict(statuses)}


def measure(stack: Stack, port: int, upstreams: list[int], task_id: int, cookies: dict,
            args) -> dict:
    roots = server_roots(stack, upstreams)
    tokens = stack.seeded["tokens"]
    bearer = [{"Authorization": f"Bearer {t}"} for t in tokens]
    n = args.requests
    warm = [("/api/v1/me", bearer[i % len(bearer)]) for i in range(100)]
    hammer(port, "GET", warm, args.concurrency, roots)
    results = {
        "trivial": hammer(port, "GET", [("/api/v1/me", bearer[i % len(bearer)])
                                        for i in range(n)], args.concurrency, roots),
        "claims": hammer(port, "POST", [(f"/api/v1/tasks/{task_id}/claim", b)
                                        for b in bearer], args.rush_concurrency, roots),
        "member page": hammer(port, "GET", [("/tasks", {"Cookie": cookies["member"]})] * n,
                              args.concurrency, roots),
        "dashboard": hammer(port, "GET", [("/review/district?table=community",
                                           {"Cookie": cookies["admin"]})] * (n // 2),
                            args.concurrency, roots),
    }
    won = results["claims"]["statuses"].get((201, ""), 0)
    refused = results["claims"]["statuses"].get((409, "task_full"), 0)
    results["claims"]["ok"] = won == stack.seeded["slots"] and won + refused == len(tokens)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rush-concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3,
                        help="each layout measured this often, in turn; medians printed")
    args = parser.parse_args()
    if missing_parts():
        print(missing_parts())
        return 2
    stack = Stack()
    ok = True
    try:
        print("building: primary, replica, migrations, seed …", flush=True)
        stack.start_databases()
        seeded = stack.migrate_and_seed(args.members, 12, tasks=3 * args.rounds)
        stack.wait_for_replay()
        first, second = stack.start_gunicorn(), stack.start_gunicorn()
        wide = stack.start_gunicorn(workers=4)
        layouts = [("one instance, 2 workers", [first]), ("one instance, 4 workers", [wide]),
                   ("two instances, 2 workers each", [first, second])]
        rows: dict[str, list[dict]] = {label: [] for label, _upstreams in layouts}
        task_ids = iter(seeded["tasks"])
        for round_number in range(1, args.rounds + 1):
            for label, upstreams in layouts:
                port = stack.start_nginx(upstreams)
                cookies = {"member": login_cookie(port, seeded["member_phone"]),
                           "admin": login_cookie(port, seeded["admin_phone"])}
                results = measure(stack, port, upstreams, next(task_ids), cookies, args)
                ok = ok and results["claims"]["ok"]
                rows[label].append(results)
                print(f"\nround {round_number}, {label}:")
                for name, result in results.items():
                    print(f"  {name:12s} {result['per_second']:7.0f}/s "
                          f"{result['cpu_ms']:6.2f} ms CPU each  {result['statuses']}")
        print(f"\nmedians of {args.rounds} rounds: requests/s (÷ the same round's trivial"
              " rate) and server CPU ms per request (gunicorn, nginx, both PostgreSQL)")
        print("| layout | trivial | claims | member page | dashboard |\n"
              "| --- | --- | --- | --- | --- |")
        for label, runs in rows.items():
            def median(key, field="per_second", runs=runs):
                return statistics.median(r[key][field] for r in runs)

            def ratio(key, runs=runs):
                return statistics.median(r[key]["per_second"] / r["trivial"]["per_second"]
                                         for r in runs)

            cells = [f"{median(k):.0f}/s ({ratio(k):.2f}), {median(k, 'cpu_ms'):.1f} ms"
                     for k in ("claims", "member page", "dashboard")]
            print(f"| {label} | {median('trivial'):.0f}/s, {median('trivial', 'cpu_ms'):.1f} ms"
                  " | " + " | ".join(cells) + " |")
    finally:
        stack.close()
    print("\nclaim rushes exact (12 won, every other a clean 409):", ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
