"""``unefois simulate report``: one self-contained HTML page comparing the population with its
targets (a table first, then charts of the main distributions; Vega-Lite through Altair, with
the JavaScript inlined so that the page opens without a network)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import altair as alt
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from unefois.rules.inputs import Kind

from . import assumptions
from .calibration import Measured, employers_per_ama_in_a_year, measure

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Population simulée : comparaison avec les cibles</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 60rem; padding: 0 1rem;
       color: #1e1e1e; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; margin: 1rem 0; }}
th, td {{ border-bottom: 1px solid #ccc; padding: .4rem; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; white-space: nowrap; }}
.ok {{ color: #17623a; font-weight: bold; }} .ko {{ color: #a4161a; font-weight: bold; }}
small {{ color: #555; }}
</style></head><body>
<h1>Population simulée : comparaison avec les cibles</h1>
<p>{summary}</p>
<h2>Cibles publiées</h2>
<table><thead><tr><th scope="col">Grandeur</th><th scope="col">Population</th>
<th scope="col">Cible</th><th scope="col">Écart admis</th><th scope="col">Résultat</th>
<th scope="col">Source</th></tr></thead><tbody>{rows}</tbody></table>
<h2>Autres repères (hypothèses, sans cible publiée)</h2>
<ul>{facts}</ul>
<h2>Distributions</h2>
{charts}
<p><small>Les hypothèses et leurs justifications sont dans
<code>unefois/simulation/assumptions.py</code> et <code>docs/simulation.md</code>.</small></p>
</body></html>
"""


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value * 100:.1f} %".replace(".", ",")
    text = f"{value:.2f}".replace(".", ",")
    return f"{text} €" if unit == "€" else text


def _chart_html(chart: alt.Chart, title: str) -> str:
    spec = chart.properties(title=title, width="container").to_dict()
    return (
        f'<figure><div class="vega" data-spec="{html.escape(json.dumps(spec))}"></div>'
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
    )


def _histogram(values: np.ndarray, groups: np.ndarray, step: float, label: str) -> pa.Table:
    """Counts by bin (and group): the page carries the counts, not the rows."""
    low = np.floor(values.min() / step) * step if len(values) else 0.0
    bins = np.floor((values - low) / step).astype(np.int64)
    keys, counts = np.unique(
        np.stack([bins, np.unique(groups, return_inverse=True)[1]]), axis=1, return_counts=True
    )
    names = np.unique(groups)
    return pa.table(
        {
            label: np.round(low + keys[0] * step, 4),
            "groupe": names[keys[1]],
            "nombre": counts,
        }
    )


def _bars(table: pa.Table, label: str, title: str, y: str) -> str:
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            alt.X(f"{label}:Q", title=label),
            alt.Y("nombre:Q", title=y),
            alt.Color("groupe:N", title=None),
            tooltip=[label, "groupe", "nombre"],
        )
    )
    return _chart_html(chart, title)


def _charts(directory: Path) -> str:
    columns = ["kind", "hourly_gross", "period", "weeks_per_year"] + [
        f"sched_{i}" for i in range(7)
    ]
    months = pq.read_table(directory / "months.parquet", columns=columns)
    middle = (pc.min(months["period"]).as_py() + pc.max(months["period"]).as_py()) // 2
    one_month = months.filter(pc.equal(months["period"], middle))
    kind = one_month["kind"].to_numpy()
    who = np.where(kind == Kind.AMA, "assistant maternel", "garde à domicile")
    net = one_month["hourly_gross"].to_numpy() * (1 - assumptions.EMPLOYEE_RATE)
    week = sum(one_month[f"sched_{i}"].to_numpy() for i in range(7))
    weeks = one_month["weeks_per_year"].to_numpy()
    income = pq.read_table(directory / "households.parquet", columns=["monthly_resources"])
    resources = np.minimum(income["monthly_resources"].to_numpy(), 15000)
    return "\n".join(
        [
            _bars(
                _histogram(net, who, 0.25, "salaire horaire net (€)"),
                "salaire horaire net (€)",
                "Salaire horaire net, un mois donné",
                "contrats",
            ),
            _bars(
                _histogram(week, who, 2.0, "heures par semaine"),
                "heures par semaine",
                "Heures prévues par semaine",
                "contrats",
            ),
            _bars(
                _histogram(weeks, who, 1.0, "semaines par an"),
                "semaines par an",
                "Semaines d'accueil par an (année complète ou incomplète)",
                "contrats",
            ),
            _bars(
                _histogram(
                    resources, np.full(len(resources), "foyers"), 500.0, "ressources mensuelles (€)"
                ),
                "ressources mensuelles (€)",
                "Ressources mensuelles des foyers (plafonnées à 15 000 € sur le graphique)",
                "foyers",
            ),
        ]
    )


def _scripts() -> str:
    import vl_convert as vlc

    bundle = vlc.javascript_bundle(
        "document.querySelectorAll('.vega').forEach(el => "
        "vegaEmbed(el, JSON.parse(el.dataset.spec), {actions: false}));"
    )
    return f'<script type="module">{bundle}</script>'


def write_report(directory: Path, target: Path) -> list[Measured]:
    directory = Path(directory)
    measured = measure(directory)
    summary_file = directory / "population.json"
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else {}
    rows = "".join(
        f"<tr><td>{html.escape(m.target.label)}</td>"
        f'<td class="num">{_fmt(m.value, m.target.unit)}</td>'
        f'<td class="num">{_fmt(m.target.value, m.target.unit)}</td>'
        f'<td class="num">± {_fmt(m.target.tolerance, m.target.unit)}</td>'
        f'<td class="{"ok" if m.ok else "ko"}">{"atteinte" if m.ok else "hors tolérance"}</td>'
        f"<td><small>{html.escape(m.target.source)}</small></td></tr>"
        for m in measured
    )
    facts = (
        f"<li>Employeurs d'une AMA sur une année : "
        f"{_fmt(employers_per_ama_in_a_year(directory), '')}</li>"
    )
    text = ", ".join(f"{v:,} {k}".replace(",", " ") for k, v in summary.get("rows", {}).items())
    page = PAGE.format(
        summary=html.escape(
            f"{summary.get('households', '?')} foyers sur {summary.get('months', '?')} mois "
            f"à partir de {summary.get('first_month', '?')}, graine {summary.get('seed', '?')} "
            f"({text})."
        ),
        rows=rows,
        facts=facts,
        charts=_charts(directory),
    )
    page = page.replace("</body>", _scripts() + "</body>")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return measured
