"""Export the captured journey events for the analyses (``unefois journeys report``)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from unefois.journeys import io
from unefois.journeys.capture.export import event_table


class Command(BaseCommand):
    help = "Écrit les événements de parcours mesurés (Parquet, CSV ou XES, selon l'extension)."

    def add_arguments(self, parser):
        parser.add_argument("out", help="Fichier à écrire : .parquet, .csv, .xes (ou .gz)")
        parser.add_argument(
            "--jours", type=int, default=None, help="Seulement les N derniers jours"
        )

    def handle(self, *args, **options):
        since = None
        if options["jours"] is not None:
            if options["jours"] <= 0:
                raise CommandError("--jours : un nombre de jours positif.")
            since = timezone.now() - dt.timedelta(days=options["jours"])
        table = event_table(since)
        try:
            path = io.write(table, Path(options["out"]))
        except (io.LogError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{table.num_rows} événements écrits dans {path}.")
