"""Production settings from the environment, the gunicorn configuration and the content security policy."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config.middleware import ContentSecurityPolicyMiddleware, content_security_policy_header

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-production-secret-that-is-long-and-random-enough-0123456789-abcdefghij",
    "DJANGO_ALLOWED_HOSTS": "scorecards.example.gov.uk",
}
SETTINGS_PRINTED = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_HTTPONLY",
]


def _environment(**overrides: str) -> dict[str, str]:
    """The test process's environment without any project variable, plus the given ones."""
    prefixes = ("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "AXES_", "SCORECARD_")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return {**environment, **overrides}


def _run(arguments: list[str], **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, *arguments],
        cwd=ROOT,
        env=_environment(**environment),
        capture_output=True,
        text=True,
    )


def _settings(**environment: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps("
        f"{{name: getattr(s, name, None) for name in {SETTINGS_PRINTED!r}}}"
        " | {'STATIC': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    result = _run(["-c", code], **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_off_refuses_the_development_secret():
    result = _run(["manage.py", "check"], DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in result.stderr


def test_check_deploy_passes_with_no_warning():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_settings_are_secure_and_serve_hashed_static_files():
    values = _settings(**PRODUCTION)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert values["STATIC"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_a_plain_http_run_on_loopback_may_switch_off_secure_cookies_and_the_https_redirect():
    values = _settings(**PRODUCTION, DJANGO_SECURE_COOKIES="false", DJANGO_SECURE_SSL_REDIRECT="false")
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 31536000


def test_a_misspelt_switch_is_a_start_up_error():
    result = _run(["manage.py", "check"], **PRODUCTION, DJANGO_SECURE_COOKIES="nope")
    assert result.returncode != 0
    assert "DJANGO_SECURE_COOKIES must be true or false, not 'nope'" in result.stderr


# gunicorn ---------------------------------------------------------------------------------------------------


def _gunicorn(monkeypatch, **environment: str) -> dict:
    for key in list(os.environ):
        if key.startswith("GUNICORN_") or key == "PORT":
            monkeypatch.delenv(key)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(ROOT / "config" / "gunicorn.py"))


def test_gunicorn_defaults_to_loopback_and_two_workers_per_core(monkeypatch):
    config = _gunicorn(monkeypatch)
    assert config["bind"] == "127.0.0.1:8000"
    assert config["workers"] == max(2, 2 * len(os.sched_getaffinity(0)))
    assert config["accesslog"] == "-" and config["errorlog"] == "-"
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert config["timeout"] == 60
    if Path("/dev/shm").is_dir():
        assert config["worker_tmp_dir"] == "/dev/shm"


def test_gunicorn_reads_port_bind_workers_and_trusted_proxies_from_the_environment(monkeypatch):
    assert _gunicorn(monkeypatch, PORT="9000")["bind"] == "0.0.0.0:9000"
    config = _gunicorn(
        monkeypatch,
        PORT="9000",
        GUNICORN_BIND="unix:/run/scorecards.sock",
        GUNICORN_WORKERS="3",
        GUNICORN_TIMEOUT="90",
        GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.2",
    )
    assert config["bind"] == "unix:/run/scorecards.sock"
    assert config["workers"] == 3 and config["timeout"] == 90
    assert config["forwarded_allow_ips"] == "10.0.0.2"


# Content security policy ------------------------------------------------------------------------------------


def test_the_policy_allows_scripts_from_this_site_only_and_no_framing(settings):
    header = content_security_policy_header(settings.CONTENT_SECURITY_POLICY)
    assert header.startswith("default-src 'self'; script-src 'self';")
    assert "'unsafe-inline'" not in header.split("style-src", 1)[0]
    assert "'unsafe-eval'" not in header
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"):
        assert directive in header


@pytest.mark.parametrize("status", [200, 404, 500])
def test_the_middleware_adds_the_policy_to_every_response(settings, status):
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse(status=status))
    response = middleware(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == content_security_policy_header(
        settings.CONTENT_SECURITY_POLICY
    )


def test_a_view_may_set_its_own_policy():
    own = HttpResponse()
    own["Content-Security-Policy"] = "default-src 'none'"
    response = ContentSecurityPolicyMiddleware(lambda request: own)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"
