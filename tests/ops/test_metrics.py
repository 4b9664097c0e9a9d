"""``/metrics``: Prometheus text to allowed addresses only; requests, claims, the outbox, report
runs and the heartbeat; summed over processes in multi-process mode."""

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.ops import services
from volunteer.ops.metrics import allowed


def _samples(text: str) -> dict:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_only_allowed_addresses_get_metrics(client, app):
    assert client.get("/metrics").status_code == 200
    denied = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert denied.status_code == 403 and "tongtong" not in denied.get_data(as_text=True)
    assert allowed("10.1.2.3", ["10.0.0.0/8"]) and not allowed("10.1.2.3", ["127.0.0.1/32"])
    assert not allowed("not-an-ip", ["0.0.0.0/0"]) and not allowed(None, ["0.0.0.0/0"])


def test_requests_and_latency_are_counted_by_endpoint(client):
    before = _samples(client.get("/metrics").get_data(as_text=True))
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page")
    after = _samples(client.get("/metrics").get_data(as_text=True))
    key = {"endpoint": "ops.healthz", "method": "GET", "status": "200"}
    assert _value(after, "tongtong_requests_total", **key) - _value(
        before, "tongtong_requests_total", **key) == 2
    assert _value(after, "tongtong_requests_total", endpoint="unmatched", method="GET",
                  status="404") >= 1
    assert _value(after, "tongtong_request_duration_seconds_count", endpoint="ops.healthz") >= 2


def test_claims_won_and_refused(ctx, client, make_member, make_staff, make_community):
    from volunteer.tasks import services as tasks

    community = make_community()
    secretary = make_staff("community_secretary", community)
    starts = utcnow() + timedelta(days=1)
    task = tasks.create_task(secretary, publish=True, now=utcnow(), title="楼道消杀",
                             category="disinfection", location="3 幢", description="",
                             slots=1, starts_at=starts, ends_at=starts + timedelta(hours=2))
    db.session.commit()
    before = _samples(client.get("/metrics").get_data(as_text=True))
    first, second = make_member(community=community), make_member(community=community)
    tasks.claim_task(first, task)
    db.session.commit()
    try:
        tasks.claim_task(second, task)
    except Exception as error:
        assert error.code == "task_full"
    db.session.rollback()
    after = _samples(client.get("/metrics").get_data(as_text=True))
    for outcome, code in (("won", ""), ("refused", "task_full")):
        assert _value(after, "tongtong_claims_total", outcome=outcome, code=code) - _value(
            before, "tongtong_claims_total", outcome=outcome, code=code) == 1


def test_what_the_database_knows_is_read_at_scrape(ctx, client):
    samples = _samples(client.get("/metrics").get_data(as_text=True))
    assert _value(samples, "tongtong_scheduler_heartbeat_age_seconds") == -1
    services.record_heartbeat(utcnow() - timedelta(seconds=90))
    db.session.commit()
    samples = _samples(client.get("/metrics").get_data(as_text=True))
    assert 89 <= _value(samples, "tongtong_scheduler_heartbeat_age_seconds") < 150


WORKER = textwrap.dedent("""
    import sys
    from tests.conftest import make_config
    from volunteer import create_app
    app = create_app(make_config(sys.argv[1], sys.argv[2]))
    client = app.test_client()
    for _ in range(int(sys.argv[3])):
        client.get("/healthz")
    if sys.argv[4] == "scrape":
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
""")


def test_multi_process_mode_sums_the_workers(tmp_path):
    folder = tmp_path / "prom"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for count in (2, 3):
        subprocess.run([sys.executable, "-c", WORKER, url, str(tmp_path), str(count), "no"],
                       env=env, cwd=root, check=True, capture_output=True)
    scraped = subprocess.run([sys.executable, "-c", WORKER, url, str(tmp_path), "1", "scrape"],
                             env=env, cwd=root, check=True, capture_output=True, text=True)
    samples = _samples(scraped.stdout)
    assert _value(samples, "tongtong_requests_total", endpoint="ops.healthz", method="GET",
                  status="200") == 6
