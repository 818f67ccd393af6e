"""``unefois exchange …``: verify and seal the exchange log, register or revoke partners' keys,
deliver the outbox to the partners' webhooks.

Mounted by ``unefois/cli.py``; Django is set up only when a command runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

exchange = typer.Typer(
    help="Échanges avec les partenaires : journal scellé, clés des partenaires, livraisons."
)
console = Console()
errors = Console(stderr=True)


def _django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()


@exchange.command("verify")
def verify(
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processus parallèles (PostgreSQL)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON")] = False,
) -> None:
    """Vérifie le journal des échanges : chaînage, points de contrôle signés, troncature."""
    _django()
    from unefois.exchange.verify import verify as check

    report = check(workers=workers)
    if as_json:
        print(
            json.dumps(
                {
                    "integre": report.ok,
                    "entrees": report.entries,
                    "premiere": report.first,
                    "derniere": report.last,
                    "points_de_controle": report.checkpoints,
                    "scelle_jusqu_a": report.sealed_up_to,
                    "secondes": round(report.seconds, 3),
                    "processus": report.workers,
                    "anomalies": [
                        {"entree": p.position, "type": p.kind, "message": p.message}
                        for p in report.problems
                    ],
                    "autres_anomalies": report.more_problems,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    elif report.ok:
        console.print(f"[green]✓[/green] {report.summary()}")
    else:
        errors.print(f"[red bold]✗[/red bold] {report.summary()}")
    if not report.ok:
        raise typer.Exit(1)


@exchange.command("seal")
def seal() -> None:
    """Scelle maintenant la tête du journal (point de contrôle signé ; à lancer chaque minute)."""
    _django()
    from unefois.exchange.chain import seal as seal_now

    checkpoint = seal_now()
    if checkpoint is None:
        console.print("Rien à sceller : le journal est vide ou sa dernière entrée l'est déjà.")
    else:
        console.print(
            f"Point de contrôle n° {checkpoint.number} : entrée n° {checkpoint.seq} scellée."
        )


@exchange.command("partners")
def partners() -> None:
    """Liste les partenaires, leurs périmètres et leurs clés."""
    _django()
    from unefois.exchange.models import Partner

    table = Table(expand=True)
    for column in ("Partenaire", "client_id", "Périmètres (finalité)", "Clés actives"):
        table.add_column(column)
    for partner in Partner.objects.prefetch_related("scopes__purpose", "keys"):
        scopes = "\n".join(
            f"{s.code} ({s.purpose.code}{', obligatoire' if s.mandatory else ''})"
            for s in partner.scopes.all()
            if s.active
        )
        active = [k.kid for k in partner.keys.all() if k.revoked_at is None]
        name = partner.name if partner.active else f"{partner.name} (inactif)"
        table.add_row(name, partner.client_id, scopes, "\n".join(active) or "aucune")
    console.print(table)


@exchange.command("add-key")
def add_key(
    client_id: Annotated[str, typer.Argument(help="client_id du partenaire")],
    file: Annotated[Path, typer.Argument(help="Clé publique JWK ou JWKS (JSON)")],
) -> None:
    """Enregistre la ou les clés publiques d'un partenaire (jamais sa clé privée)."""
    _django()
    from unefois.exchange.actions import KeyRefusedError, do_register_jwks
    from unefois.exchange.models import Partner

    partner = Partner.objects.filter(client_id=client_id).first()
    if partner is None:
        errors.print(f"[red]Partenaire inconnu : {client_id}[/red]")
        raise typer.Exit(2)
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
        added = do_register_jwks(None, partner, document)
    except FileNotFoundError:
        errors.print(f"[red]Fichier introuvable : {file}[/red]")
        raise typer.Exit(2) from None
    except (ValueError, KeyRefusedError) as error:
        errors.print(f"[red]Clé refusée : {error}[/red]")
        raise typer.Exit(2) from None
    for key in added:
        console.print(f"Clé « {key.kid} » enregistrée pour {partner.name}.")


@exchange.command("revoke-key")
def revoke_key(
    client_id: Annotated[str, typer.Argument(help="client_id du partenaire")],
    kid: Annotated[str, typer.Argument(help="Identifiant de la clé (kid)")],
) -> None:
    """Révoque une clé d'un partenaire : ses assertions ne sont plus acceptées."""
    _django()
    from unefois.exchange.actions import do_revoke_key
    from unefois.exchange.models import PartnerKey

    key = PartnerKey.objects.filter(partner__client_id=client_id, kid=kid).first()
    if key is None:
        errors.print(f"[red]Clé inconnue : {client_id} / {kid}[/red]")
        raise typer.Exit(2)
    do_revoke_key(None, key)
    console.print(f"Clé « {kid} » de {client_id} révoquée.")


@exchange.command("deliver")
def deliver(
    once: Annotated[
        bool, typer.Option("--once", help="Livrer ce qui est dû maintenant, puis s'arrêter")
    ] = False,
    pause: Annotated[
        float, typer.Option("--pause", min=0.1, help="Secondes entre deux passages")
    ] = 2.0,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="Seulement les échecs et le bilan")
    ] = False,
) -> None:
    """Livre les événements (boîte d'envoi) aux webhooks des partenaires : message signé, clé
    d'idempotence, nouvel essai avec attente croissante, abandon après le nombre maximal de
    tentatives (à relancer dans l'administration)."""
    _django()
    import signal

    stopping: list[int] = []

    def stop(signum, _frame) -> None:
        if stopping:  # a second signal: stop at once
            raise KeyboardInterrupt
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        _deliver(once, pause, quiet, stopping)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _deliver(once: bool, pause: float, quiet: bool, stopping: list[int]) -> None:
    import time

    from django.db import DatabaseError, close_old_connections

    from unefois.exchange.delivery import Result, Worker, backlog

    worker = Worker()
    totals: dict[str, int] = {}

    def report(result: Result) -> None:
        totals[result.outcome] = totals.get(result.outcome, 0) + 1
        if result.outcome in ("echec", "annule"):
            errors.print(f"[red]{result.text()}[/red]", soft_wrap=True)
        elif result.outcome == "nouvel_essai":
            errors.print(f"[yellow]{result.text()}[/yellow]", soft_wrap=True)
        elif not quiet:
            console.print(result.text(), soft_wrap=True)

    if once:
        console.print("Livraison des événements dus…")
    else:
        console.print(
            f"Livreur {worker.name} démarré : passage toutes les {pause:g} s "
            "(Ctrl-C ou SIGTERM pour l'arrêter).",
            soft_wrap=True,
        )
    while not stopping:
        if not once:  # a long-running process: drop the connections the database closed
            close_old_connections()
        try:
            worker.drain(report=report, stop=lambda: bool(stopping))
        except DatabaseError as error:
            errors.print(f"[red]Base de données indisponible ({error}) : nouvel essai.[/red]")
            if once:
                raise typer.Exit(1) from None
        if once:
            break
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, pause))
    left = backlog()
    console.print(
        f"{totals.get('livre', 0)} livré(s), {totals.get('nouvel_essai', 0)} à réessayer, "
        f"{totals.get('echec', 0)} en échec, {totals.get('opposition', 0)} non transmis "
        f"(opposition), {totals.get('annule', 0)} annulé(s). Boîte d'envoi : "
        f"{left['a_livrer']} à livrer, {left['plus_tard']} plus tard, "
        f"{left['en_echec']} en échec.",
        soft_wrap=True,
    )
    if stopping:
        console.print("Livreur arrêté.")
