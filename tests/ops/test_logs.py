"""One structured line per request with its request id; the id comes back in the answer."""

import io
import json
import logging

import pytest

from tests.conftest import make_config
from volunteer import create_app
from volunteer.ops import logs


@pytest.fixture
def json_lines():
    """Capture what the JSON handler writes, as the production configuration would."""
    stream = io.StringIO()
    handler = logs.make_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_request_line_in_json(client, json_lines):
    answer = client.get("/healthz?code=SECRET&phone=13800000000")
    rid = answer.headers["X-Request-ID"]
    assert len(rid) == 32
    lines = [line for line in json_lines() if line["logger"] == "volunteer.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == rid and line["method"] == "GET" and line["status"] == 200
    assert line["path"] == "/healthz" and "SECRET" not in json.dumps(line)
    assert line["duration_ms"] >= 0 and line["worker"] > 0 and "time" in line
    assert line["user_id"] is None and line["level"] == "INFO"


def test_a_given_request_id_is_kept_and_a_bad_one_replaced(client, json_lines):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-42.a"}).headers[
        "X-Request-ID"] == "lb-42.a"
    replaced = client.get("/healthz", headers={"X-Request-ID": "x" * 60 + " <script>"})
    assert replaced.headers["X-Request-ID"] != "x" * 65 and len(
        replaced.headers["X-Request-ID"]) == 32


def test_lines_logged_inside_a_request_carry_its_id(tmp_path, json_lines):
    fresh = create_app(make_config(f"sqlite:///{tmp_path / 'x.sqlite3'}", str(tmp_path)))

    @fresh.get("/_test/log-inside")
    def inside():
        logging.getLogger("volunteer.test").warning("inside")
        return "ok"

    answer = fresh.test_client().get("/_test/log-inside")
    seen = {line["message"]: line for line in json_lines()}
    assert seen["inside"]["request_id"] == answer.headers["X-Request-ID"]


def test_text_format_has_the_same_fields():
    stream = io.StringIO()
    logger = logging.getLogger("volunteer.test.text")
    logger.addHandler(logs.make_handler("text", stream))
    logger.propagate = False
    try:
        logger.warning("hello")
    finally:
        logger.handlers.clear()
        logger.propagate = True
    assert "WARNING volunteer.test.text [-] hello" in stream.getvalue()
