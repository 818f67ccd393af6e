from django.db import migrations

from unefois.audit.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("declarations", "0002_initial")]
    operations = [append_only("declarations_declarationversion")]
