"""Every recorded change carries the business date it takes effect; the changes recorded
before this have no other date than when they were recorded, so that is their effective date."""

from django.db import migrations, models
from django.db.models.functions import TruncDate

HISTORICAL_MODELS = [
    "historicalcouncil",
    "historicalplan",
    "historicaltargetentry",
    "historicalworkstream",
    "historicalsavingsline",
    "historicalphasingentry",
]


def date_as_recorded(apps, schema_editor):
    for name in HISTORICAL_MODELS:
        model = apps.get_model("programme", name)
        model.objects.update(effective=TruncDate("history_date"))


class Migration(migrations.Migration):
    dependencies = [("programme", "0003_plan_slug_archived")]

    operations = [
        migrations.AddField(
            model_name="historicalcouncil",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.AddField(
            model_name="historicalplan",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.AddField(
            model_name="historicaltargetentry",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.AddField(
            model_name="historicalworkstream",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.AddField(
            model_name="historicalsavingsline",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.AddField(
            model_name="historicalphasingentry",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.RunPython(date_as_recorded, migrations.RunPython.noop),
    ]
