"""Claim rush: 1,000 approved members press "claim" on one 12-slot task at the same moment.

Builds a fresh database (PostgreSQL and/or SQLite), seeds one community, one task and the
members with their API tokens, starts ``gunicorn wsgi:app``, then fires every claim at once over
HTTP from one asyncio client. Prints accepted, each 409 code, errors, claims per second and
p50/p99 latency, and the same figures for a trivial endpoint of the same app (``GET /api/v1/me``:
one row by primary key, as JSON) with claims/s as a ratio of it. Exits non-zero unless exactly
``slots`` claims were accepted, every other answer was a clean 409 and the database agrees.

    python bench/claim_rush.py --db both --workers 3
    python bench/claim_rush.py --db postgresql --pg-url postgresql://postgres@127.0.0.1/tt_bench

Everything stays on 127.0.0.1 and stops by itself (gunicorn is terminated at the end).
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------- database and seed


def reset_postgres(url: str) -> None:
    """Drop and re-create the benchmark's own database."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(env: dict, members: int, slots: int) -> dict:
    """Migrate the empty database, then add the community, the task and the members' tokens."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from volunteer import create_app
    from volunteer.auth.models import User
    from volunteer.auth.services import hash_password, issue_api_token
    from volunteer.core.time import utcnow
    from volunteer.extensions import db
    from volunteer.orgs.models import Community, Street, Unit
    from volunteer.tasks.services import create_task

    app = create_app()
    with app.app_context():
        upgrade()
        street = Street(name="任港街道")
        db.session.add(street)
        db.session.flush()
        community = Community(name="大庆社区", street_id=street.id)
        unit = Unit(name="南通市第二中学", kind="school")
        db.session.add_all([community, unit])
        db.session.flush()
        password = hash_password(secrets.token_hex(8))
        secretary = User(role="community_secretary", name="大庆社区书记", phone="13900000004",
                         password_hash=password, community_id=community.id,
                         street_id=street.id)
        db.session.add(secretary)
        db.session.execute(insert(User), [
            {"role": "member", "name": f"党员{i:04d}", "phone": f"137{i:08d}",
             "password_hash": password, "status": "approved", "community_id": community.id,
             "street_id": street.id, "unit_id": unit.id} for i in range(members)])
        start = utcnow() + timedelta(days=1)
        task = create_task(secretary, title="协助转运", category="transfer", location="万濠华府",
                           description="", starts_at=start, ends_at=start + timedelta(hours=3),
                           slots=slots)
        tokens = []
        for member in db.session.scalars(select(User).where(User.role == "member")):
            tokens.append(issue_api_token(member)[0])
        db.session.commit()
        task_id = task.id
        db.session.remove()
        db.engine.dispose()
    return {"task_id": task_id, "tokens": tokens}


def count_claims(env: dict, task_id: int) -> tuple[int, int]:
    """(live claims, slots_taken) as the database sees them after the rush."""
    os.environ.update(env)
    from sqlalchemy import func, select

    from volunteer import create_app
    from volunteer.extensions import db
    from volunteer.tasks.models import Claim, Task

    app = create_app()
    with app.app_context():
        live = db.session.scalar(select(func.count()).select_from(Claim).where(
            Claim.task_id == task_id, Claim.status == "claimed"))
        taken = db.session.get(Task, task_id).slots_taken
        db.engine.dispose()
    return live, taken


# ---------------------------------------------------------------- server


def start_gunicorn(env: dict, workers: int, port: int, log: Path, worker_class: str = "sync",
                   threads: int = 1) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
               f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning",
               "--timeout", "60", "--worker-class", worker_class, "--threads", str(threads),
               "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                               stdout=log.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = asyncio.run(request(port, "GET", "/api/v1/openapi.json", None))
            if status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {log}")
        time.sleep(0.3)
    stop(process)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def worker_cpu_seconds(master: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the gunicorn master's worker processes."""
    from _common import proc_stats

    total = sum(int(fields[11]) + int(fields[12])  # utime, stime
                for fields in proc_stats().values() if int(fields[1]) == master.pid)
    return total / os.sysconf("SC_CLK_TCK")


def measured(master: subprocess.Popen, port: int, method: str, path: str, tokens: list[str],
             timeout: float) -> dict:
    """``rush`` plus the workers' CPU milliseconds per request (less sensitive to a busy box)."""
    before = worker_cpu_seconds(master)
    result = asyncio.run(rush(port, method, path, tokens, timeout))
    result["cpu_ms"] = (worker_cpu_seconds(master) - before) * 1000 / len(tokens)
    return result


# ---------------------------------------------------------------- client


async def request(port: int, method: str, path: str, token: str | None) -> tuple[int, bytes]:
    """One HTTP/1.1 request on its own connection (sync gunicorn workers close it anyway)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}"
                 f"Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def rush(port: int, method: str, path: str, tokens: list[str], timeout: float) -> dict:
    """Fire one request per token at once; tally statuses, error codes and latencies."""
    start_gate = asyncio.Event()
    latencies: list[float] = []
    outcomes: Counter = Counter()

    async def one(token: str) -> None:
        await start_gate.wait()
        began = time.perf_counter()
        try:
            status, body = await asyncio.wait_for(request(port, method, path, token), timeout)
        except (OSError, TimeoutError, IndexError, ValueError) as error:
            outcomes[f"error {type(error).__name__}"] += 1
            return
        latencies.append(time.perf_counter() - began)
        if status == 409:
            try:
                outcomes[f"409 {json.loads(body)['error']['code']}"] += 1
            except (ValueError, KeyError):
                outcomes["error 409 without a JSON error"] += 1
        else:
            outcomes[str(status)] += 1

    jobs = [asyncio.create_task(one(t)) for t in tokens]
    await asyncio.sleep(0.05)
    began = time.perf_counter()
    start_gate.set()
    await asyncio.gather(*jobs)
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"outcomes": outcomes, "elapsed": elapsed, "rate": len(tokens) / elapsed,
            "p50": statistics.median(latencies) * 1000 if latencies else None,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else None}


# ---------------------------------------------------------------- one run


def run(kind: str, args, workdir: Path) -> bool:
    instance = workdir / kind
    instance.mkdir(parents=True, exist_ok=True)
    if kind == "postgresql":
        reset_postgres(args.pg_url)
        url = args.pg_url
    else:
        url = f"sqlite:///{instance / 'bench.sqlite3'}"
    env = {"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16),
           "VOLUNTEER_INSTANCE_PATH": str(instance)}
    print(f"\n== {kind}: seeding {args.members} members and a {args.slots}-slot task …",
          flush=True)
    seeded = subprocess_seed(env, args)
    server = start_gunicorn(env, args.workers, args.port, instance / "gunicorn.log",
                            args.worker_class, args.threads)
    try:
        tokens = seeded["tokens"]
        asyncio.run(rush(args.port, "GET", "/api/v1/me", tokens[:50], args.timeout))  # warm up
        trivial = measured(server, args.port, "GET", "/api/v1/me", tokens, args.timeout)
        claims = measured(server, args.port, "POST", f"/api/v1/tasks/{seeded['task_id']}/claim",
                          tokens, args.timeout)
    finally:
        stop(server)
    live, taken = count_claims_subprocess(env, seeded["task_id"])
    accepted = claims["outcomes"].get("201", 0)
    clean_409 = sum(n for k, n in claims["outcomes"].items() if k.startswith("409 "))
    errors = sum(n for k, n in claims["outcomes"].items()
                 if k not in ("201",) and not k.startswith("409 "))
    print(f"database: {kind} · gunicorn workers: {args.workers} ({args.worker_class}, "
          f"{args.threads} thread(s) each) · members: {args.members} · slots: {args.slots}")
    print(f"trivial GET /api/v1/me: {trivial['rate']:.0f} req/s, p50 {trivial['p50']:.0f} ms, "
          f"p99 {trivial['p99']:.0f} ms, worker CPU {trivial['cpu_ms']:.1f} ms/request, "
          f"answers {dict(trivial['outcomes'])}")
    print(f"claims: accepted {accepted}, "
          + ", ".join(f"{k} {n}" for k, n in sorted(claims["outcomes"].items()) if k != "201")
          + f", errors {errors}")
    print(f"claims/s {claims['rate']:.0f}, p50 {claims['p50']:.0f} ms, "
          f"p99 {claims['p99']:.0f} ms, worker CPU {claims['cpu_ms']:.1f} ms/request, "
          f"{claims['elapsed']:.2f} s in all")
    print(f"claims/s ÷ trivial req/s = {claims['rate'] / trivial['rate']:.2f}; "
          f"CPU per claim ÷ per trivial request = {claims['cpu_ms'] / trivial['cpu_ms']:.2f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"database after the rush: {live} live claims, slots_taken {taken}")
    ok = (accepted == args.slots and clean_409 == args.members - args.slots and errors == 0
          and live == taken == args.slots)
    print("RESULT:", "ok" if ok else "FAILED")
    return ok


def subprocess_seed(env: dict, args) -> dict:
    """Seed in a child process, so this process imports no app and holds no connection."""
    script = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r});"
              f"from bench.claim_rush import seed;"
              f"print(json.dumps(seed({{}}, {args.members}, {args.slots})))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, **env},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def count_claims_subprocess(env: dict, task_id: int) -> tuple[int, int]:
    script = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r});"
              f"from bench.claim_rush import count_claims;"
              f"print(json.dumps(count_claims({{}}, {task_id})))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, **env},
                         capture_output=True, text=True, check=True)
    return tuple(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1/tt_tasks_bench",
                        help="a database of its own: it is dropped and re-created")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="per worker (gthread)")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--slots", type=int, default=12)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="claim_rush_"))
    try:
        kinds = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
        results = [run(kind, args, workdir) for kind in kinds]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
