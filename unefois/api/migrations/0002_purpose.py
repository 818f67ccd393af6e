from django.db import migrations


def forward(apps, schema_editor):
    from unefois.api.grants import install_purpose

    install_purpose(apps)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial"), ("exchange", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
