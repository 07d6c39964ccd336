"""Security as a browser meets it: sign-in redirects, CSRF, response headers, error pages that say nothing."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SCORECARD = "/scorecards/838/2020-11/"
DEBUG_MARKERS = (
    "Traceback",
    "DEBUG = True",
    "urlpatterns",
    "Request Method",
    "settings.py",
    "CSRF verification failed",
)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_signing_in_never_leaves_the_site(visit, base_url, next_url):
    person = visit()
    person.step(f"sign-in with next={next_url} stays on the site")
    person.log_in("board", next_url=next_url)
    expect(person.page.get_by_role("heading", level=1)).to_have_text("Your scorecards")
    assert urlsplit(person.page.url).netloc == urlsplit(base_url).netloc


def test_a_form_posted_without_its_csrf_token_is_refused_and_says_nothing(visit):
    person = visit()
    page = person.page
    person.log_in("board")
    page.goto(SCORECARD)

    person.step("a POST without the CSRF token (a forged form) is a 403 page that reveals nothing")
    form = page.locator("form", has=page.get_by_role("button", name="Download board pack"))
    form.locator("input[name=csrfmiddlewaretoken]").evaluate("input => input.remove()")
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name="Download board pack").click()
    response = navigation.value
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    content = page.content()
    assert not [marker for marker in DEBUG_MARKERS if marker in content]
    person.axe("CSRF failure page")

    person.step("the same POST from another origin's script is refused too")
    answer = page.request.post(f"{SCORECARD.rstrip('/')}/pack/", form={"months": "6"}, max_redirects=0)
    assert answer.status == 403


def test_pages_carry_the_security_headers_and_errors_reveal_nothing(visit):
    person = visit()
    page = person.page
    person.log_in("board")

    person.step(
        "a page carries CSP, frame, content-type, referrer and opener policies; static files are hashed"
    )
    response = page.goto(SCORECARD)
    assert response is not None and response.status == 200
    headers = response.headers
    csp = headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", stylesheet or ""), stylesheet
    static = page.request.get(stylesheet)
    assert static.status == 200 and "max-age=315360000" in static.headers["cache-control"]

    person.step("a page that does not exist reveals nothing about the application")
    response = page.goto("/scorecards/838/2020-11/no-such-indicator/extra/")
    assert response is not None and response.status == 404
    content = page.content()
    assert not [marker for marker in DEBUG_MARKERS if marker in content]

    person.step("a request for another host is a 400 page that reveals nothing")
    answer = page.request.get("/health/", headers={"Host": "evil.example"})
    assert answer.status == 400
    assert "evil.example" not in answer.text() and "ALLOWED_HOSTS" not in answer.text()

    person.step("signing out ends the session: the scorecard asks for sign-in again")
    page.goto(SCORECARD)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto(SCORECARD)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
