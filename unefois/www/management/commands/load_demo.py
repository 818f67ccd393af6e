"""``manage.py load_demo``: load a simulated population as the demo's data."""

from django.core.management.base import BaseCommand

from unefois.people.models import Person


class Command(BaseCommand):
    help = "Charge une population simulée (démonstration)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=120)
        parser.add_argument("--months", type=int, default=6)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--if-empty", action="store_true", help="Seulement si la base est vide")

    def handle(self, *args, **options):
        if options["if_empty"] and Person.objects.exists():
            self.stdout.write("Données de démonstration déjà présentes.")
            return
        from unefois.simulation.load import load

        counts = load(options["households"], options["months"], options["seed"])
        self.stdout.write(
            "Démonstration chargée : "
            + ", ".join(f"{value} {key}" for key, value in counts.items())
        )
