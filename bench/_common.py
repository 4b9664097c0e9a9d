"""Shared set-up for the benchmarks: a generated district on SQLite or PostgreSQL."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_ADMIN = "postgresql://postgres@127.0.0.1/test"


def database_url(engine: str, scale: float) -> tuple[str, Path]:
    """The URL and instance folder of the benchmark database for ``engine`` and ``scale``."""
    tag = f"{scale:g}".replace(".", "_")
    instance = OUT / f"{engine}-{tag}"
    instance.mkdir(parents=True, exist_ok=True)
    if engine == "sqlite":
        return f"sqlite:///{instance / 'volunteer.sqlite3'}", instance
    name = f"tt_bench_{tag}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1/{name}", instance


def environment(url: str, instance: Path) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, VOLUNTEER_INSTANCE_PATH=str(instance),
               SECRET_KEY="benchmark-secret-key-not-for-production")
    return env


def ensure_district(engine: str, scale: float, seed: int = 2022) -> tuple[str, Path]:
    """Generate the district once per engine and scale; later runs reuse it."""
    url, instance = database_url(engine, scale)
    marker = instance / "generated"
    command = Path(sys.executable).parent / "volunteer"
    if marker.exists():  # reuse it, with any migration added since
        subprocess.run([str(command), "db", "upgrade"], cwd=ROOT, env=environment(url, instance),
                       check=True, capture_output=True)
    else:
        started = time.perf_counter()
        subprocess.run([str(command), "generate-district",
                        "--scale", str(scale), "--seed", str(seed)], cwd=ROOT,
                       env=environment(url, instance), check=True)
        marker.write_text(f"{time.perf_counter() - started:.1f}\n")
    return url, instance


def make_app(url: str, instance: Path):
    """The app as ``wsgi.py`` serves it (with its start-up objects frozen out of the GC)."""
    os.environ.update(environment(url, instance))
    import gc

    from volunteer import create_app

    app = create_app()
    gc.collect()
    gc.freeze()
    return app


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def proc_stats() -> dict[int, list[str]]:
    """``/proc/<pid>/stat`` of every process, split after the command name: ``[1]`` is the
    parent pid, ``[11:13]`` its user and system CPU ticks, ``[13:15]`` its reaped children's."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    return found

