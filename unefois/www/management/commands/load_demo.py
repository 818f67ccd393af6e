"""``manage.py load_demo``: load a simulated population as the demo's data."""

from django.core.management.base import BaseCommand

from unefois.people.models import Person


class Command(BaseCommand):
    help = "Charge une population simulée (démonstration)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=120)
        parser.add_argument("--months", type=int, default=6)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--journeys",
            type=int,
            default=3000,
            help="Parcours synthétiques à charger pour la page de gestion (0 : aucun)",
        )
        parser.add_argument("--if-empty", action="store_true", help="Seulement si la base est vide")

    def handle(self, *args, **options):
        if options["if_empty"] and Person.objects.exists():
            self.stdout.write("Données de démonstration déjà présentes.")
            return
        from unefois.simulation.load import load

        counts = load(options["households"], options["months"], options["seed"])
        if options["journeys"]:
            counts["événements de parcours (synthétiques)"] = _journeys(
                options["journeys"], options["seed"]
            )
        self.stdout.write(
            "Démonstration chargée : "
            + ", ".join(f"{value} {key}" for key, value in counts.items())
        )


def _journeys(cases: int, seed: int) -> int:
    """Synthetic journeys of the last four months, so that « Gestion › Parcours » has
    something to show (they are labelled synthetic in the docs; real ones add up as people use
    the demo)."""
    import datetime as dt

    from django.utils import timezone

    from unefois.journeys import synthetic
    from unefois.journeys.capture.export import load_table

    start = timezone.localdate() - dt.timedelta(days=120)
    table = synthetic.generate(synthetic.Settings(cases=cases, seed=seed, start=start, days=110))
    return load_table(table)
