"""The line page's panel: links to the line's business case, equality impact and decisions."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from csplan.accounts import permissions
from csplan.cases.equality import CHARACTERISTICS, RATINGS
from csplan.cases.models import BusinessCase, Decision, EqualityAssessment
from csplan.programme.models import SavingsLine

register = template.Library()


@register.inclusion_tag("cases/_line_panel.html", takes_context=True)
def line_cases_panel(context: template.Context, line: SavingsLine) -> dict[str, Any]:
    counts = dict.fromkeys((code for code, _ in RATINGS), 0)
    stored = list(EqualityAssessment.objects.filter(line=line))
    for assessment in stored:
        counts[assessment.rating] += 1
    counts["not_assessed"] += len(CHARACTERISTICS) - len(stored)
    user = context.get("user")
    return {
        "line": line,
        "can_edit": user is not None and permissions.can_edit_line(user, line),
        "case": BusinessCase.objects.filter(line=line).first(),
        "equality": [(name, counts[code]) for code, name in RATINGS if counts[code]],
        "decisions": Decision.objects.filter(covered__line=line).order_by("-date"),
    }


@register.filter
def case_text(text: str) -> str:
    """A business case text as GOV.UK paragraphs; a paragraph of ``- `` lines is a list."""
    blocks = []
    for paragraph in (text or "").split("\n\n"):
        lines = [line.strip() for line in paragraph.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            blocks.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
        else:
            blocks.append(f'<p class="govuk-body">{"<br>".join(escape(x) for x in lines)}</p>')
    return mark_safe("".join(blocks))  # noqa: S308 - every piece of text is escaped
