"""The GOV.UK-styled page for a failed CSRF check (settings.CSRF_FAILURE_VIEW)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = (
        "This form could not be sent because the page had expired or came from another site. "
        "Go back, reload the page and try again."
    )
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)
