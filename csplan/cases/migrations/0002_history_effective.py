"""Every recorded change carries the business date it takes effect; the changes recorded
before this have no other date than when they were recorded, so that is their effective date."""

from django.db import migrations, models
from django.db.models.functions import TruncDate

HISTORICAL_MODELS = ["historicaldecision", "historicaldecisionline", "historicaldecisionamount"]


def date_as_recorded(apps, schema_editor):
    for name in HISTORICAL_MODELS:
        model = apps.get_model("cases", name)
        model.objects.update(effective=TruncDate("history_date"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="historicaldecision",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.AddField(
            model_name="historicaldecisionline",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.AddField(
            model_name="historicaldecisionamount",
            name="effective",
            field=models.DateField(null=True, verbose_name="takes effect"),
        ),
        migrations.RunPython(date_as_recorded, migrations.RunPython.noop),
    ]
