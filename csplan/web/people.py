"""People: admins add users, set roles, give SROs their lines, reset passwords, revoke tokens.

Everyone changes their own password here too. The rules (unique names, the password
validators, the last active admin keeping their role) are in ``csplan.accounts.users``, shared
with ``csplan user``; every change is recorded in the accounts' audit trail
(``csplan.accounts.audit``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from csplan.accounts import tokens, users
from csplan.accounts.access import ADMIN, VIEW, guard
from csplan.accounts.audit import record_change
from csplan.accounts.models import AccountChange
from csplan.web.forms.people import (
    ActiveForm,
    AddPersonForm,
    LinesForm,
    ResetPasswordForm,
    RoleForm,
)
from csplan.web.plan_resolver import peek_plan


def _person(pk: int) -> Any:
    return get_object_or_404(get_user_model(), pk=pk)


def _error_list(form: forms.Form) -> list[tuple[str, str]]:
    return form.error_list() if hasattr(form, "error_list") else []


def _attach(form: forms.Form, error: users.AccountError, fallback: str) -> None:
    for name, message in error.errors.items():
        form.add_error(name if name in form.fields else fallback, message)


@guard(read=ADMIN)
def people(request: HttpRequest) -> HttpResponse:
    """Every user with their role, lines, tokens and state; the latest account changes."""
    accounts = get_user_model().objects.order_by("username")
    summaries = {summary.username: summary for summary in users.user_summaries()}
    rows = [(account, summaries[account.get_username()]) for account in accounts]
    context = {
        "rows": rows,
        "changes": AccountChange.objects.select_related("by")[:30],
        "last_admin_count": users.active_admins().count(),
    }
    return render(request, "people/people.html", context)


@guard(read=ADMIN, write=ADMIN)
def person_new(request: HttpRequest) -> HttpResponse:
    form = AddPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = users.add_user(
                data["username"], data["role"], data["password"], by=request.user
            )
        except users.AccountError as error:
            _attach(form, error, "username")
        else:
            messages.success(request, f"Added {added.get_username()} ({data['role']})")
            return redirect("people:person", pk=added.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "errors": _error_list(form)}
    return render(request, "people/person_new.html", context, status=status)


def _person_page(
    request: HttpRequest, person: Any, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    """The person's page; ``bound`` holds a form sent back with its errors."""
    bound = bound or {}
    plan = peek_plan(request)
    stored = person.csplan_profile.role if hasattr(person, "csplan_profile") else ""
    forms_ = {
        "role": bound.get("role") or RoleForm(initial={"role": stored or None}),
        "password": bound.get("password") or ResetPasswordForm(),
        "active": bound.get("active")
        or ActiveForm(initial={"active": "yes" if person.is_active else "no"}),
    }
    if plan is not None:
        forms_["lines"] = bound.get("lines") or LinesForm(
            plan=plan, initial={"lines": users.owned_references(person, plan)}
        )
    errors = [pair for form in bound.values() for pair in _error_list(form)]
    context = {
        "person": person,
        "stored_role": stored,
        "plan": plan,
        "forms": forms_,
        "errors": errors,
        "owned": users.owned_references(person),
        "tokens": tokens.active_token_count(person),
        "is_self": person.pk == request.user.pk,
        "changes": AccountChange.objects.filter(subject=person).select_related("by")[:30],
    }
    return render(request, "people/person.html", context, status=400 if errors else 200)


@guard(read=ADMIN)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, _person(pk))


def _done(request: HttpRequest, person: Any, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("people:person", kwargs={"pk": person.pk}))


@guard(read=None, write=ADMIN)
def person_role(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            users.set_role(person, form.cleaned_data["role"], by=request.user)
        except users.AccountError as error:
            _attach(form, error, "role")
        else:
            return _done(
                request, person, f"{person.get_username()} is now {form.cleaned_data['role']}"
            )
    return _person_page(request, person, {"role": form})


@guard(read=None, write=ADMIN)
def person_lines(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    plan = request.plan
    form = LinesForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            chosen = users.lines_by_reference(plan, form.cleaned_data["lines"])
            users.set_owned_lines(person, chosen, by=request.user, plan=plan)
        except users.AccountError as error:
            _attach(form, error, "lines")
        else:
            owned = ", ".join(form.cleaned_data["lines"]) or "no lines"
            return _done(request, person, f"{person.get_username()} owns {owned} in {plan.name}")
    return _person_page(request, person, {"lines": form})


@guard(read=None, write=ADMIN)
def person_password(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = ResetPasswordForm(request.POST)
    if form.is_valid():
        try:
            users.set_password(person, form.cleaned_data["password"], by=request.user)
        except users.AccountError as error:
            _attach(form, error, "password")
        else:
            if person.pk == request.user.pk:
                update_session_auth_hash(request, person)
            return _done(
                request, person, f"Reset the password of {person.get_username()}: tell them it"
            )
    return _person_page(request, person, {"password": form})


@guard(read=None, write=ADMIN)
def person_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    count = tokens.revoke_tokens(person, by=request.user)
    return _done(request, person, f"Revoked {count} API token(s) of {person.get_username()}")


@guard(read=None, write=ADMIN)
def person_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = ActiveForm(request.POST)
    if form.is_valid():
        active = form.cleaned_data["active"] == "yes"
        try:
            users.set_active(person, active, by=request.user)
        except users.AccountError as error:
            _attach(form, error, "active")
        else:
            state = "active" if active else "deactivated: they can no longer sign in"
            return _done(request, person, f"{person.get_username()} is {state}")
    return _person_page(request, person, {"active": form})


@guard(read=VIEW, write=VIEW)
def own_password(request: HttpRequest) -> HttpResponse:
    """Everyone changes their own password (Django's PasswordChangeForm: the old one first)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    for field in form.fields.values():
        field.widget.attrs["class"] = "govuk-input govuk-input--width-20"
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        record_change(request.user, "password changed", by=request.user)
        messages.success(request, "Your password has been changed")
        return redirect("own_password")
    errors = [
        (f"id_{name if name != '__all__' else 'old_password'}", str(message))
        for name, messages_ in form.errors.items()
        for message in messages_
    ]
    context = {"form": form, "errors": errors}
    return render(request, "people/own_password.html", context, status=400 if errors else 200)
