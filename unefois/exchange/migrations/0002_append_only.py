from django.db import migrations

from unefois.audit.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]
    operations = [
        append_only("exchange_logentry"),
        append_only("exchange_checkpoint"),
        append_only("exchange_accessjournal"),
    ]
