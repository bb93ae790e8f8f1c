"""Every recorded change carries the business date it takes effect; the changes recorded
before this have no other date than when they were recorded, so that is their effective date."""

from django.db import migrations, models
from django.db.models.functions import TruncDate

HISTORICAL_MODELS = ["historicalmonitoringrecord", "historicalmovement"]


def date_as_recorded(apps, schema_editor):
    for name in HISTORICAL_MODELS:
        model = apps.get_model("monitoring", name)
        model.objects.update(effective=TruncDate("history_date"))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_history_change_reason_text")]

    operations = [
        migrations.AddField(
            model_name="historicalmonitoringrecord",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.AddField(
            model_name="historicalmovement",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.RunPython(date_as_recorded, migrations.RunPython.noop),
    ]
