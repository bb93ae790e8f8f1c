"""The store for business cases, equality impact, consultations, decisions and sign-offs.

Money is integer pence; years are the start year of the financial year (2018 is 2018/19).
Every model keeps its change history (django-simple-history).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from csplan.core.history import EffectiveDated
from csplan.core.money import from_pence
from csplan.core.periods import FinancialYear
from csplan.programme.models import Plan, SavingsLine

CASE_TEXT_FIELDS = (
    "why",
    "if_not",
    "aims",
    "what_we_are_doing",
    "assumptions",
    "constraints",
    "delivery_options",
    "scope_in",
    "scope_out",
    "cost_and_savings",
    "non_financial_benefits",
    "affected",
    "positive_impacts",
    "negative_impacts",
    "neutral_impacts",
    "disproportionate_impacts",
)


class BusinessCase(models.Model):
    """A savings line's business case (the fields of Cambridgeshire's template)."""

    line = models.OneToOneField(SavingsLine, on_delete=models.CASCADE, related_name="business_case")
    title = models.CharField("project title", max_length=300)
    summary = models.TextField("brief description", blank=True)
    sro_role = models.CharField("senior responsible officer (role)", max_length=200, blank=True)
    why = models.TextField("why do we need to undertake this project?", blank=True)
    if_not = models.TextField("what would happen if we did not complete this project?", blank=True)
    aims = models.TextField("aims and objectives", blank=True)
    what_we_are_doing = models.TextField("what are we doing", blank=True)
    assumptions = models.TextField("what assumptions have you made?", blank=True)
    constraints = models.TextField("what constraints does the project face?", blank=True)
    delivery_options = models.TextField("delivery options", blank=True)
    scope_in = models.TextField("what is within scope?", blank=True)
    scope_out = models.TextField("what is outside of scope?", blank=True)
    cost_and_savings = models.TextField("cost and savings", blank=True)
    non_financial_benefits = models.TextField("non-financial benefits", blank=True)
    affected = models.TextField("who will be affected by this proposal?", blank=True)
    positive_impacts = models.TextField("positive impacts", blank=True)
    negative_impacts = models.TextField("negative impacts", blank=True)
    neutral_impacts = models.TextField("neutral impacts", blank=True)
    disproportionate_impacts = models.TextField(
        "disproportionate impacts on protected characteristics and how they will be addressed",
        blank=True,
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every edit, so two people cannot overwrite each other."
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["line__plan", "line__position", "line__id"]

    def __str__(self) -> str:
        return f"{self.line.reference}: {self.title}"


class CaseRisk(models.Model):
    """A risk of a business case; its score is likelihood × impact (each 1 to 5)."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=300)
    likelihood = models.PositiveSmallIntegerField(help_text="1 (rare) to 5 (almost certain)")
    impact = models.PositiveSmallIntegerField(help_text="1 (negligible) to 5 (severe)")
    owner_role = models.CharField(max_length=200, blank=True)
    mitigation = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class CaseDependency(models.Model):
    """What a case depends on: another savings line, or a named project."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="dependencies")
    title = models.CharField(max_length=500)
    line = models.ForeignKey(
        SavingsLine,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="depended_on_by",
        help_text="The savings line depended on, when the dependency is another line.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Characteristic(models.TextChoices):
    """The nine protected characteristics of the Equality Act 2010."""

    AGE = "age", "Age"
    DISABILITY = "disability", "Disability"
    GENDER_REASSIGNMENT = "gender_reassignment", "Gender reassignment"
    MARRIAGE = "marriage_civil_partnership", "Marriage and civil partnership"
    PREGNANCY = "pregnancy_maternity", "Pregnancy and maternity"
    RACE = "race", "Race"
    RELIGION = "religion_belief", "Religion or belief"
    SEX = "sex", "Sex"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"


class Rating(models.TextChoices):
    ADVERSE = "adverse", "Adverse"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class EqualityAssessment(models.Model):
    """A line's impact on one protected characteristic (no row means not assessed)."""

    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="equality")
    characteristic = models.CharField(max_length=30, choices=Characteristic.choices)
    rating = models.CharField(max_length=20, choices=Rating.choices)
    note = models.TextField(blank=True)
    mitigation = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line", "characteristic"], name="unique_characteristic_per_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line.reference} {self.get_characteristic_display()}: {self.rating}"


class Consultation(models.Model):
    class Audience(models.TextChoices):
        PUBLIC = "public", "Public"
        STAFF = "staff", "Staff"
        PARTNERS = "partners", "Partners and providers"

    class Outcome(models.TextChoices):
        PROCEED = "proceed", "Proceed"
        AMEND = "amend", "Proceed with amendments"
        RECONSIDER = "reconsider", "Reconsider"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="consultations")
    title = models.CharField(max_length=300)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    outcome = models.CharField(
        max_length=20,
        choices=Outcome.choices,
        blank=True,
        help_text="Blank while the consultation is open or its responses are being analysed.",
    )
    outcome_note = models.TextField(blank=True)
    lines = models.ManyToManyField(SavingsLine, through="ConsultationLine", related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-end_date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def completed(self) -> bool:
        return bool(self.outcome)


class ConsultationLine(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="covered")
    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="consultations")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "line"], name="unique_line_per_consultation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation}: {self.line.reference}"


class Decision(models.Model):
    class Body(models.TextChoices):
        CABINET = "cabinet", "Cabinet"
        FULL_COUNCIL = "full_council", "Full Council"
        COMMITTEE = "committee", "Committee"
        EXECUTIVE_MEMBER = "executive_member", "Executive Member"
        OFFICER = "officer", "Officer (delegated decision)"

    class Kind(models.TextChoices):
        APPROVAL = "approval", "Approve savings"
        WRITE_OFF = "write_off", "Write off savings"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="decisions")
    body = models.CharField("decision-making body", max_length=20, choices=Body.choices)
    body_name = models.CharField(
        max_length=200, blank=True, help_text="e.g. Children and Young People Committee"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.APPROVAL)
    date = models.DateField()
    reference = models.CharField(max_length=100, help_text="The decision or minute reference")
    summary = models.TextField(blank=True)
    lines = models.ManyToManyField(SavingsLine, through="DecisionLine", related_name="+")
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.date:%d %B %Y} ({self.reference})"


class DecisionLine(models.Model):
    """A line a decision covers; its amounts are what was approved in each year."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="covered")
    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="decisions")
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "line"], name="unique_line_per_decision")
        ]

    def __str__(self) -> str:
        return f"{self.decision}: {self.line.reference}"


class DecisionAmount(models.Model):
    decision_line = models.ForeignKey(
        DecisionLine, on_delete=models.CASCADE, related_name="amounts"
    )
    year = models.PositiveSmallIntegerField(help_text="Start year of the financial year.")
    amount_pence = models.BigIntegerField()
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_line", "year"], name="unique_year_per_decision_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.financial_year}: £{self.amount}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)

    @property
    def amount(self) -> Decimal:
        return from_pence(self.amount_pence)


class FinanceSignOff(models.Model):
    """The chief finance officer's (s151) sign-off that a line's saving was delivered."""

    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="sign_offs")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=200, default="Chief Finance Officer (s151)")
    signed_off_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_off_at", "-id"]

    def __str__(self) -> str:
        return f"{self.line.reference} signed off by {self.role}"
