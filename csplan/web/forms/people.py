"""The people forms: a new user, a role, the lines an SRO owns, a new password, deactivating.

They read what the admin typed; the rules (a unique name, the password validators, the last
active admin) are in ``csplan.accounts.users``, whose ``AccountError`` messages the views attach
to the fields named here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.functional import lazy

from csplan.accounts.models import Role
from csplan.programme.models import Plan
from csplan.web.forms.cases import GovukForm

_TEXT = {"class": "govuk-input govuk-input--width-20", "autocomplete": "off"}
_PASSWORD = {"class": "govuk-input govuk-input--width-20", "autocomplete": "new-password"}
_ROLE_CHOICES = [(role.value, role.label) for role in Role]


def _password_rules() -> str:
    return " ".join(password_validation.password_validators_help_texts())


class _NewPasswordFields(GovukForm):
    """A new password typed twice."""

    password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(_PASSWORD),
        help_text=lazy(_password_rules, str)(),
    )
    password_again = forms.CharField(
        label="New password again", strip=False, widget=forms.PasswordInput(_PASSWORD)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_again") != data["password"]:
            self.add_error("password_again", "Enter the same password twice")
        return data


class AddPersonForm(_NewPasswordFields):
    username = forms.CharField(label="User name", max_length=150, widget=forms.TextInput(_TEXT))
    role = forms.ChoiceField(label="Role", choices=_ROLE_CHOICES, widget=forms.RadioSelect)
    field_order = ["username", "role", "password", "password_again"]


class RoleForm(GovukForm):
    role = forms.ChoiceField(label="Role", choices=_ROLE_CHOICES, widget=forms.RadioSelect)


class ResetPasswordForm(_NewPasswordFields):
    pass


class ActiveForm(GovukForm):
    active = forms.ChoiceField(label="Account", choices=[("yes", "Active"), ("no", "Deactivated")])


class LinesForm(GovukForm):
    lines = forms.MultipleChoiceField(
        label="Savings lines this person owns",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["lines"].choices = [
            (line.reference, f"{line.reference}: {line.title}")
            for line in plan.lines.order_by("position")
        ]
