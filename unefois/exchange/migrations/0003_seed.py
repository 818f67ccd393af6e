from django.db import migrations


def forward(apps, schema_editor):
    from unefois.exchange.seed import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_append_only")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
