"""Response headers Django 5.2 does not set itself: the content security policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CSP_HEADER = "Content-Security-Policy"


def content_security_policy_header(policy: dict[str, list[str]]) -> str:
    """The header value for a policy given as {directive: [source, ...]}, in the order given."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds settings.CONTENT_SECURITY_POLICY to every response that has none of its own.

    The policy is built once at start-up; a view that needs a different policy sets the header itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = content_security_policy_header(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and CSP_HEADER not in response:
            response[CSP_HEADER] = self.header
        return response
