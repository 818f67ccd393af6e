"""``manage.py tierce_declaration_habiliter <client_id> [--operations …]``: give a partner
(a third-party software already registered, with its public key) access to the third-party
declaration API."""

from django.core.management.base import BaseCommand, CommandError

from unefois.api import grants
from unefois.api.actions import do_grant
from unefois.exchange.models import Partner


class Command(BaseCommand):
    help = "Habilite un logiciel tiers (partenaire) à l'API de tierce déclaration."

    def add_arguments(self, parser):
        parser.add_argument("client_id", help="client_id du partenaire")
        parser.add_argument(
            "--operations",
            nargs="+",
            choices=grants.ALL_OPERATIONS,
            help="Opérations permises (par défaut : toutes).",
        )

    def handle(self, client_id, operations=None, **options):
        partner = Partner.objects.filter(client_id=client_id).first()
        if partner is None:
            raise CommandError(f"Partenaire inconnu : {client_id}")
        scope = do_grant(None, partner, operations)
        self.stdout.write(
            f"Périmètre « {scope.code} » : {', '.join(scope.fields)} pour {partner.name}."
        )
