from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "unefois.exchange"
    verbose_name = "Échanges avec les partenaires"

    def ready(self) -> None:
        # The domain apps send their signals without knowing this room (import-linter contract);
        # the outbox is written by these receivers, in the transaction of the action.
        from unefois.contracts.signals import contract_ended
        from unefois.declarations.signals import declaration_confirmed

        from . import outbox

        declaration_confirmed.connect(
            outbox.on_declaration_confirmed, dispatch_uid="exchange.outbox.declaration_confirmed"
        )
        contract_ended.connect(
            outbox.on_contract_ended, dispatch_uid="exchange.outbox.contract_ended"
        )
