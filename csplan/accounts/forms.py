"""The sign-in form with log-in throttling."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from csplan.accounts import throttle


def client_ip(request: Any) -> str:
    """The client's address as the server sees it (proxies: set a trusted REMOTE_ADDR)."""
    return "" if request is None else request.META.get("REMOTE_ADDR", "")


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct user name and password",
        "throttled": "%(message)s",
    }

    def clean(self) -> dict[str, Any]:
        attempt = throttle.Attempt(self.data.get("username", ""), client_ip(self.request))
        locked = throttle.seconds_locked(attempt)
        if locked:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"message": throttle.refusal_message(locked)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(attempt)
            raise
        throttle.record_success(attempt)
        return cleaned
