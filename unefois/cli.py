"""The command line: ``unefois …``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="unefois : paie, déclarations et échanges pour la garde d'enfants à domicile.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)


@app.callback()
def main() -> None:
    """unefois : paie, déclarations et échanges pour la garde d'enfants à domicile."""


@app.command("paie")
def paie(
    file: Annotated[
        Path | None,
        typer.Argument(help="Bulletin à calculer (JSON ou YAML, voir docs/payslip-input.md)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON")] = False,
    batch: Annotated[
        Path | None, typer.Option("--batch", help="Fichier Parquet : un bulletin par ligne")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Fichier Parquet des résultats")] = None,
    detail: Annotated[
        bool, typer.Option("--detail", help="Afficher les références et les paramètres")
    ] = False,
) -> None:
    """Calcule un bulletin de salaire (ou un lot de bulletins avec --batch)."""
    if batch is not None:
        if out is None:
            errors.print("[red]Indiquez le fichier de sortie avec --out.[/red]")
            raise typer.Exit(2)
        from unefois.rules.batch import run_parquet

        summary = run_parquet(batch, out, progress=not as_json)
        if as_json:
            print(json.dumps(summary, ensure_ascii=False))
        else:
            console.print(
                f"{summary['bulletins']} bulletins calculés, {summary['en_erreur']} en erreur "
                f"→ {out}"
            )
        return
    if file is None:
        errors.print("[red]Indiquez un fichier de bulletin, ou --batch.[/red]")
        raise typer.Exit(2)
    from unefois.rules import intake
    from unefois.rules.api import payslip_from_input

    try:
        parsed = intake.load(file)
    except FileNotFoundError:
        errors.print(f"[red]Fichier introuvable : {file}[/red]")
        raise typer.Exit(2) from None
    except intake.InputError as exc:
        if as_json:
            print(
                json.dumps(
                    {"erreurs": [{"champ": p, "message": m} for p, m in exc.problems]},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            errors.print("[red bold]Le fichier ne peut pas être calculé :[/red bold]")
            for path, message in exc.problems:
                errors.print(f"  • [bold]{path}[/bold] : {message}")
        raise typer.Exit(2) from None
    slip = payslip_from_input(parsed)
    if as_json:
        print(json.dumps(slip.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print(slip, detail)
    if slip.errors:
        raise typer.Exit(1)


simulate = typer.Typer(help="Population synthétique de foyers, salariés, contrats et mois.")
app.add_typer(simulate, name="simulate")


@simulate.command("population")
def simulate_population(
    households: Annotated[int, typer.Option("--households", help="Nombre de foyers")] = 10_000,
    months: Annotated[int, typer.Option("--months", help="Nombre de mois")] = 12,
    seed: Annotated[
        int, typer.Option("--seed", help="Graine (même graine, même population)")
    ] = 2025,
    first_month: Annotated[
        str, typer.Option("--first-month", help="Premier mois (AAAA-MM)")
    ] = "2025-01",
    out: Annotated[Path, typer.Option("--out", help="Dossier des fichiers Parquet")] = Path(
        "out/population"
    ),
    load: Annotated[
        bool,
        typer.Option("--load", help="Charger aussi la population dans la base de la plateforme"),
    ] = False,
) -> None:
    """Génère une population synthétique (un fichier Parquet par table)."""
    from unefois.simulation.population import Settings
    from unefois.simulation.writer import write

    if households < 1 or months < 1:
        errors.print("[red]Il faut au moins un foyer et un mois.[/red]")
        raise typer.Exit(2)
    summary = write(Settings(households, months, seed, first_month), out)
    rows = ", ".join(
        f"{name} : {count:,}".replace(",", " ") for name, count in summary["rows"].items()
    )
    console.print(f"Population écrite dans {out} ({rows}).")
    if load:
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
        django.setup()
        from unefois.simulation.load import load as load_population

        counts = load_population(households, months, seed)
        console.print("Chargée dans la base : " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@simulate.command("report")
def simulate_report(
    directory: Annotated[Path, typer.Argument(help="Dossier d'une population simulée")],
    out: Annotated[Path | None, typer.Option("--out", help="Page HTML du rapport")] = None,
) -> None:
    """Compare la population simulée à ses cibles (tableau et graphiques)."""
    from unefois.simulation.report import write_report

    target = out or directory / "rapport.html"
    measured = write_report(directory, target)
    failed = [m for m in measured if not m.ok]
    for m in measured:
        mark = "[green]✓[/green]" if m.ok else "[red]✗[/red]"
        console.print(
            f"{mark} {m.target.label} : {m.value:.3f} "
            f"(cible {m.target.value:.3f} ± {m.target.tolerance})"
        )
    console.print(f"Rapport : {target}")
    if failed:
        raise typer.Exit(1)


journeys = typer.Typer(help="Parcours des usagers : journaux d'événements, analyses, rapport.")
app.add_typer(journeys, name="journeys")

MAPPING_HELP = (
    "Correspondance des colonnes : case=…,activity=…,timestamp=…,segment=… (ou un fichier JSON)"
)


@journeys.command("report")
def journeys_report(
    log: Annotated[Path, typer.Argument(help="Journal : XES (ou .xes.gz), CSV ou Parquet")],
    out: Annotated[Path, typer.Option("--out", help="Page HTML du rapport")] = Path("report.html"),
    engine: Annotated[str, typer.Option("--engine", help="duckdb ou spark")] = "duckdb",
    mapping: Annotated[str | None, typer.Option("--mapping", help=MAPPING_HELP)] = None,
) -> None:
    """Analyse un journal et écrit le rapport (pistes d'amélioration classées en tête)."""
    import time

    from unefois.journeys import io
    from unefois.journeys.analysis import ENGINES, analyse, load
    from unefois.journeys.report import write_report

    if engine not in ENGINES:
        errors.print(f"[red]Moteur inconnu : {engine} (duckdb ou spark).[/red]")
        raise typer.Exit(2)
    start = time.perf_counter()
    try:
        table = io.read(log, mapping)
    except io.LogError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    results = analyse(load(table, engine))
    write_report(results, out, log.name, time.perf_counter() - start)
    count = len(results.get("opportunities", []))
    events = f"{table.num_rows:,}".replace(",", " ")
    console.print(f"{events} événements analysés ({engine}), {count} pistes d'amélioration → {out}")


@journeys.command("import")
def journeys_import(
    log: Annotated[Path, typer.Argument(help="Journal : XES (ou .xes.gz), CSV ou Parquet")],
    out: Annotated[Path, typer.Option("--out", help="Table d'événements canonique (Parquet)")],
    mapping: Annotated[str | None, typer.Option("--mapping", help=MAPPING_HELP)] = None,
) -> None:
    """Convertit un journal en table d'événements canonique (Parquet)."""
    from unefois.journeys import io

    try:
        table = io.read(log, mapping)
    except io.LogError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    io.write_parquet(table, out)
    console.print(f"{table.num_rows:,} événements → {out}".replace(",", " "))


@journeys.command("export")
def journeys_export(
    log: Annotated[Path, typer.Argument(help="Journal : XES, CSV ou Parquet")],
    out: Annotated[Path, typer.Option("--out", help="Fichier de sortie : .parquet, .csv, .xes")],
    mapping: Annotated[str | None, typer.Option("--mapping", help=MAPPING_HELP)] = None,
) -> None:
    """Écrit un journal dans un autre format (Parquet, CSV ou XES, éventuellement .gz)."""
    from unefois.journeys import io

    try:
        io.write(io.read(log, mapping), out)
    except io.LogError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Journal écrit : {out}")


@journeys.command("synthetic")
def journeys_synthetic(
    out: Annotated[Path, typer.Option("--out", help="Journal produit (.parquet, .csv, .xes)")],
    cases: Annotated[int, typer.Option("--cases", help="Nombre de démarches")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Graine")] = 2025,
) -> None:
    """Produit des parcours synthétiques avec des difficultés connues (pour essayer)."""
    from unefois.journeys import io, synthetic

    table = synthetic.generate(synthetic.Settings(cases=cases, seed=seed))
    io.write(table, out)
    events, runs = f"{table.num_rows:,}".replace(",", " "), f"{cases:,}".replace(",", " ")
    console.print(f"{events} événements, {runs} démarches → {out}")


from unefois.exchange.cli import exchange  # noqa: E402 — commands only; Django set up on use

app.add_typer(exchange, name="exchange")


def _print(slip, detail: bool = False) -> None:
    from unefois.rules.explain import eur

    kind = "assistant maternel" if slip.employee == "ama" else "garde d'enfants à domicile"
    console.rule(f"Bulletin de salaire — {slip.month} — {kind}")
    for finding in slip.errors:
        console.print(f"[red bold]Erreur[/red bold] ({finding.field}) : {finding.message}")
        if finding.reference:
            console.print(f"  [dim]{finding.reference}[/dim]")
    if slip.errors:
        return
    table = Table(show_lines=False, expand=True)
    table.add_column("Ligne")
    table.add_column("Montant", justify="right", no_wrap=True)
    table.add_column("Calcul", style="dim")
    if detail:
        table.add_column("Référence et paramètres", style="dim")
    section = None
    for line in slip.lines:
        if line.section != section:
            section = line.section
            table.add_row(f"[bold]{section}[/bold]", "", "", *([""] if detail else []))
        amount = eur(line.amount) if line.sign > 0 else f"− {eur(line.amount)}"
        bold = line.code in ("gross_pay", "net_pay", "net_paid", "parent_cost")
        cells = [
            f"[bold]{line.label}[/bold]" if bold else line.label,
            f"[bold]{amount}[/bold]" if bold else amount,
            line.formula,
        ]
        if detail:
            used = "; ".join(
                f"{p.description} : {p.value}" + (" (non vérifié)" if p.unverified else "")
                for p in line.parameters
            )
            cells.append("\n".join(x for x in (line.reference, used) if x))
        table.add_row(*cells)
    console.print(table)
    declaration = Table(title="À déclarer sur Pajemploi", expand=False)
    declaration.add_column("Rubrique")
    declaration.add_column("Valeur", justify="right")
    for key, value in slip.declaration.items():
        declaration.add_row(key.replace("_", " "), str(value).replace(".", ","))
    console.print(declaration)
    for finding in slip.warnings:
        console.print(
            f"[yellow]À savoir[/yellow] : {finding.message} [dim]({finding.reference})[/dim]"
        )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
