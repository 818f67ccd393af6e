"""Daily upkeep of the journey log: mark the abandoned cases, forget what is past retention."""

from django.core.management.base import BaseCommand

from unefois.journeys.capture import services


class Command(BaseCommand):
    help = (
        "Marque « abandon » les parcours inactifs depuis JOURNEYS_ABANDON_AFTER_HOURS et supprime "
        "les événements plus anciens que JOURNEYS_RETENTION_DAYS."
    )

    def handle(self, *args, **options):
        abandoned = services.mark_abandoned()
        events, cases = services.purge()
        self.stdout.write(
            f"{abandoned} parcours marqués abandonnés ; {events} événements et {cases} parcours "
            f"supprimés (conservation : {services.retention().days} jours)."
        )
