"""Security headers that Django does not set itself: a Content-Security-Policy.

Scripts run only from csplan's own static files, plus the inline scripts of the page templates,
each allowed by the sha256 hash of its exact text (so an injected ``<script>`` never runs).
The hashes are worked out once, at start-up, from the templates themselves: change an inline
script and its hash follows. Styles may be inline (the demand pages and the committee pack
carry small ``<style>`` blocks); nothing may frame the pages, and forms post only to csplan.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse

# Templates whose inline scripts are allowed (every page extends the first).
INLINE_SCRIPT_TEMPLATES = ("web/base.html",)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)
PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"


def script_hash(body: str) -> str:
    """The CSP source expression that allows an inline script whose text is ``body``."""
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_scripts(template_source: str) -> list[str]:
    """The inline scripts of a template, rendered (``{% static %}`` and the like resolved)."""
    from django.template import engines

    engine = engines["django"]
    loads = "".join(re.findall(r"{%\s*load\s+[^%]*%}", template_source))
    return [
        engine.from_string(loads + body).render({})
        for body in _INLINE_SCRIPT.findall(template_source)
    ]


def _template_source(name: str) -> str:
    from django.template.loader import get_template

    return Path(get_template(name).origin.name).read_text(encoding="utf-8")


@cache
def content_security_policy(templates: Iterable[str] = INLINE_SCRIPT_TEMPLATES) -> str:
    """The policy sent with every response."""
    hashes = sorted(
        {script_hash(body) for name in templates for body in inline_scripts(_template_source(name))}
    )
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class RefuseNulMiddleware:
    """Answers 400 to a request whose query or form holds a NUL character.

    No text in csplan contains one, and PostgreSQL cannot store or even compare it, so a NUL
    in a filter or a field would otherwise end in a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.GET) or _body_has_nul(request):
            return _bad_request(request)
        return self.get_response(request)


def _body_has_nul(request: HttpRequest) -> bool:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.content_type == "application/json":
        return b"\x00" in request.body or b"\\u0000" in request.body.lower()
    if request.content_type == "application/x-www-form-urlencoded":
        return _has_nul(request.POST)
    return False  # uploaded files may hold any bytes (a zip of returns does)


def _has_nul(data: Any) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()
    )


def _bad_request(request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse

    message = "The request contains a NUL character (0x00), which no field can hold"
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": {"request": message}}, status=400)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class PrivateResponsesMiddleware:
    """Tells browsers and proxies to keep no copy of csplan's pages, downloads and API answers.

    Every response of the app carries ``Cache-Control: no-store, private`` (Django's never-cache
    headers): they show children's services data to a signed-in user, and a shared computer's
    back button or a caching proxy must not show it to the next person. Public static files
    (served by WhiteNoise, which answers before this middleware) keep their long caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils.cache import add_never_cache_headers

        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL or "/static/"):
            add_never_cache_headers(response)
        return response
