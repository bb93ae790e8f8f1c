"""The sign-in form with log-in throttling."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from csplan.accounts import throttle


def client_ip(request: Any) -> str:
    """The client's address: REMOTE_ADDR, or the address the trusted proxy reports.

    With ``CSPLAN_TRUSTED_PROXY_HEADER`` set (say ``X-Forwarded-For``; only behind a proxy that
    always sets it), the last address in that header: the one the proxy itself added.
    """
    if request is None:
        return ""
    header = getattr(settings, "CSPLAN_TRUSTED_PROXY_HEADER", "")
    if header:
        key = "HTTP_" + header.strip().upper().replace("-", "_")
        forwarded = [part.strip() for part in request.META.get(key, "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct user name and password",
        "throttled": "%(message)s",
    }

    def clean(self) -> dict[str, Any]:
        # The name as Django will authenticate it (the field has NFKC-normalised it).
        username = self.cleaned_data.get("username") or self.data.get("username", "")
        attempt = throttle.Attempt(str(username), client_ip(self.request))
        started = throttle.now()
        locked = throttle.try_attempt(attempt, started)
        if locked:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"message": throttle.refusal_message(locked)},
            )
        cleaned = super().clean()  # a wrong password raises: the attempt stays counted
        if self.get_user() is None:
            throttle.release(attempt, started)  # no password was checked (a field was empty)
        else:
            throttle.record_success(attempt, started)
        return cleaned
