from django.db import migrations, models
from django.utils.text import slugify


def name_plans(apps, schema_editor):
    Plan = apps.get_model("programme", "Plan")
    taken: set[str] = set()
    for plan in Plan.objects.select_related("council").order_by("id"):
        slug = slugify(plan.name)[:100] or "plan"
        if slug in taken:
            slug = slugify(f"{plan.council.name} {plan.name}")[:96]
        base, number = slug, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        Plan.objects.filter(pk=plan.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("programme", "0002_history_change_reason_text")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="slug",
            field=models.SlugField(max_length=100, null=True, db_index=False),
        ),
        migrations.AddField(
            model_name="historicalplan",
            name="slug",
            field=models.SlugField(max_length=100, null=True),
        ),
        migrations.RunPython(name_plans, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="plan",
            name="slug",
            field=models.SlugField(
                help_text="The plan's name in web addresses and --plan.", max_length=100, unique=True
            ),
        ),
        migrations.AlterField(
            model_name="historicalplan",
            name="slug",
            field=models.SlugField(
                db_index=True,
                default="",
                help_text="The plan's name in web addresses and --plan.",
                max_length=100,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="plan",
            name="archived",
            field=models.BooleanField(
                default=False,
                help_text="Out of use: still readable and printable, not offered first.",
            ),
        ),
        migrations.AddField(
            model_name="historicalplan",
            name="archived",
            field=models.BooleanField(
                default=False,
                help_text="Out of use: still readable and printable, not offered first.",
            ),
        ),
        migrations.AlterModelOptions(name="plan", options={"ordering": ["council__name", "name"]}),
    ]
