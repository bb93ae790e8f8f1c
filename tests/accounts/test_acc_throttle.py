"""Log-in throttling: five failures for one name or one address lock it for 15 minutes."""

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts import throttle

pytestmark = pytest.mark.django_db

GOOD = "a-long-password-1"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(1_000_000.0)
    monkeypatch.setattr(throttle, "time", fake)
    return fake


@pytest.fixture
def officer():
    return get_user_model().objects.create_user("officer", password=GOOD)


def sign_in(client, username, password, ip="192.0.2.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_counts_and_window_as_plain_functions(clock):
    attempt = throttle.Attempt("Officer", "192.0.2.9")
    for _ in range(4):
        throttle.record_failure(attempt)
    assert throttle.seconds_locked(attempt) == 0
    clock.now += throttle.WINDOW + 1  # the first four fall out of the window
    throttle.record_failure(attempt)
    assert throttle.seconds_locked(attempt) == 0
    for _ in range(4):
        throttle.record_failure(attempt)
    assert throttle.seconds_locked(attempt) == 900
    assert throttle.seconds_locked(throttle.Attempt("officer ", "198.51.100.1")) == 900
    clock.now += 899.5
    assert throttle.seconds_locked(attempt) == 1
    assert "Wait 1 minute," in throttle.refusal_message(1)
    assert "Wait 15 minutes," in throttle.refusal_message(900)


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, officer, clock):
    for _ in range(5):
        response = sign_in(client, "officer", "wrong-password")
        assert response.status_code == 200
        assert "Enter a correct user name and password" in response.content.decode()
    refused = sign_in(client, "officer", GOOD, ip="198.51.100.7")
    html = refused.content.decode()
    assert refused.status_code == 200 and "There is a problem" in html
    assert "Too many failed sign-in attempts. Wait 15 minutes, then try again." in html
    assert "_auth_user_id" not in client.session
    clock.now += throttle.LOCKOUT + 1
    allowed = sign_in(client, "officer", GOOD, ip="198.51.100.7")
    assert allowed.status_code == 302 and allowed.url == "/"


def test_five_failures_from_one_address_lock_that_address(client, officer, clock):
    for number in range(5):
        sign_in(client, f"guess{number}", "wrong-password", ip="203.0.113.5")
    refused = sign_in(client, "officer", GOOD, ip="203.0.113.5")
    assert "Too many failed sign-in attempts" in refused.content.decode()
    elsewhere = sign_in(client, "officer", GOOD, ip="203.0.113.6")
    assert elsewhere.status_code == 302


def test_a_successful_sign_in_clears_the_name_count(client, officer, clock):
    for number in range(4):
        sign_in(client, "officer", "wrong-password", ip=f"192.0.2.{number + 10}")
    assert sign_in(client, "officer", GOOD, ip="192.0.2.20").status_code == 302
    client.post("/logout/")
    for number in range(4):
        sign_in(client, "officer", "wrong-password", ip=f"192.0.2.{number + 30}")
    assert sign_in(client, "officer", GOOD, ip="192.0.2.40").status_code == 302
