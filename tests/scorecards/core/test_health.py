"""/health/: 200 when the database and the broker answer; 503 that says only what is down otherwise."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db.utils import OperationalError

SECRET = "password=hunter2 host=db.internal"


@pytest.fixture
def broker(settings):
    settings.REDIS_URL = "redis://:hunter2@redis.internal:6379/0"
    with mock.patch("redis.Redis.from_url") as from_url:
        yield from_url.return_value


def test_it_answers_200_when_the_database_and_the_broker_answer(client, db, broker):
    broker.ping.return_value = True
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_checks_no_broker_when_none_is_configured(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_answers_503_and_nothing_more_when_the_database_is_down(client, db, settings):
    settings.REDIS_URL = ""
    with mock.patch("scorecards.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError(f"could not connect to server: {SECRET}")
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}
    assert "hunter2" not in response.content.decode()


def test_it_answers_503_and_nothing_more_when_the_broker_is_down(client, db, broker):
    import redis

    broker.ping.side_effect = redis.ConnectionError(f"Error 111 connecting to redis.internal:6379. {SECRET}")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}
    text = response.content.decode()
    assert "hunter2" not in text and "redis.internal" not in text


def test_it_answers_503_when_both_are_down(client, db, broker):
    broker.ping.side_effect = TimeoutError("timed out")
    with mock.patch("scorecards.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("server closed the connection unexpectedly")
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "broker": "down"}


def test_it_needs_no_sign_in_and_only_answers_get(client, db, settings):
    settings.REDIS_URL = ""
    assert client.get("/health/").status_code == 200
    assert client.post("/health/").status_code == 405
