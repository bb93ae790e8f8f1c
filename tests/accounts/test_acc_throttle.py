"""Log-in throttling: five failures for one name or one address lock it for 15 minutes."""

import importlib
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import connection
from django.test import Client

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


# Bypasses found by an attack on a running csplan (issue 16).


def test_a_full_width_name_counts_against_the_plain_one(client, officer, clock):
    for number in range(5):
        sign_in(client, "ｏｆｆｉｃｅｒ", "wrong-password", ip=f"192.0.2.{number + 50}")
    refused = sign_in(client, "officer", GOOD, ip="198.51.100.8")
    assert "Too many failed sign-in attempts" in refused.content.decode()
    refused = sign_in(client, "ＯＦＦＩＣＥＲ", GOOD, ip="198.51.100.9")
    assert "Too many failed sign-in attempts" in refused.content.decode()
    assert throttle.normalised_username(" ｆｉｎａｎｃｅ ") == "finance"


def test_an_empty_password_does_not_clear_the_count(client, officer, clock):
    for number in range(4):
        sign_in(client, "officer", "wrong-password", ip=f"192.0.2.{number + 60}")
    client.post("/login/", {"username": "officer"}, REMOTE_ADDR="192.0.2.70")
    sign_in(client, "officer", "wrong-password", ip="192.0.2.71")
    refused = sign_in(client, "officer", GOOD, ip="192.0.2.72")
    assert "Too many failed sign-in attempts" in refused.content.decode()


def _in_parallel(work, count=10):
    """Run ``work(number)`` in ``count`` threads started together; their results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(number):
        try:
            barrier.wait()
            results[number] = work(number)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_sign_ins_check_at_most_five_passwords(officer, monkeypatch):
    checked = []
    original = AbstractBaseUser.check_password

    def counting(user, password):
        checked.append(password)
        return original(user, password)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    responses = _in_parallel(
        lambda number: sign_in(Client(), "officer", "wrong-password", ip=f"192.0.2.{number}")
    )
    pages = [response.content.decode() for response in responses]
    assert len(checked) == throttle.LIMIT
    assert sum("Too many failed sign-in attempts" in page for page in pages) == 10 - throttle.LIMIT
    # The lock runs from the fifth counted attempt: a slow machine has used a few seconds of it.
    locked = throttle.seconds_locked(throttle.Attempt("officer", ""))
    assert throttle.LOCKOUT - 60 < locked <= throttle.LOCKOUT


@pytest.mark.django_db(transaction=True)
def test_parallel_calls_of_the_throttle_allow_exactly_the_limit():
    attempt = throttle.Attempt("finance", "203.0.113.20")
    waits = _in_parallel(lambda number: throttle.try_attempt(attempt))
    assert sorted(waits)[: throttle.LIMIT] == [0] * throttle.LIMIT
    assert all(wait > 0 for wait in sorted(waits)[throttle.LIMIT :])


def test_the_lock_survives_a_restart(client, officer):
    for number in range(5):
        sign_in(client, "officer", "wrong-password", ip=f"192.0.2.{number + 80}")
    cache.clear()  # nothing kept in the process's memory or cache is needed
    restarted = importlib.reload(throttle)
    assert restarted.seconds_locked(restarted.Attempt("officer", "")) > 0
    refused = sign_in(Client(), "officer", GOOD, ip="198.51.100.10")
    assert "Too many failed sign-in attempts" in refused.content.decode()


def test_behind_a_trusted_proxy_each_client_has_its_own_count(client, officer, clock, settings):
    settings.CSPLAN_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    proxy = "10.0.0.1"
    for number in range(5):
        client.post(
            "/login/",
            {"username": f"guess{number}", "password": "wrong-password"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5",  # the first part is the client's
        )
    locked = throttle.Attempt("someone", "203.0.113.5")
    assert throttle.seconds_locked(locked) == throttle.LOCKOUT
    other = client.post(
        "/login/",
        {"username": "officer", "password": GOOD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert other.status_code == 302


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, officer, clock):
    for number in range(5):
        client.post(
            "/login/",
            {"username": f"guess{number}", "password": "wrong-password"},
            REMOTE_ADDR="203.0.113.30",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",  # forged, one per attempt
        )
    refused = client.post(
        "/login/",
        {"username": "officer", "password": GOOD},
        REMOTE_ADDR="203.0.113.30",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert "Too many failed sign-in attempts" in refused.content.decode()


def test_stale_counts_are_forgotten(clock):
    for number in range(3):
        throttle.record_failure(throttle.Attempt(f"random{number}", ""))
    clock.now += throttle.WINDOW + 1
    for _ in range(5):
        throttle.record_failure(throttle.Attempt("locked", ""))
    assert throttle.forget_stale(clock.now) == 3
    assert throttle.seconds_locked(throttle.Attempt("locked", "")) == throttle.LOCKOUT
    assert throttle.try_attempt(throttle.Attempt("random0", "")) == 0  # a fresh count
