"""``unefois journeys report``: one self-contained HTML page, in French, the ranked improvement
opportunities first, then the analyses behind them. Charts are Vega-Lite through Altair with
the JavaScript inlined (the page opens without a network), each followed by its figures as a
table for those who do not see the chart."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import altair as alt
import pyarrow as pa

from .analysis.opportunities import minutes_text, number, pct
from .events import ERROR_CODES, FIELD_LABELS, PROCEDURES

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 70rem; padding: 0 1rem;
       color: #1e1e1e; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .95rem; }}
caption {{ text-align: left; font-weight: bold; padding: .3rem 0; }}
th, td {{ border-bottom: 1px solid #bbb; padding: .35rem; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; white-space: nowrap; }}
ol.opportunities > li {{ margin-bottom: 1rem; }}
ol.opportunities h3 {{ font-size: 1.05rem; margin: 0; }}
.meta {{ color: #404040; font-size: .9rem; }}
figure {{ margin: 1rem 0; }} figcaption {{ font-style: italic; }}
a {{ color: #0b4fa8; }}
:focus {{ outline: 3px solid #0b4fa8; }}
small {{ color: #404040; }}
</style></head><body>
<a href="#opportunites">Aller aux pistes d'amélioration</a>
<h1>{title}</h1>
<p>{summary}</p>
<nav aria-label="Sommaire"><ul>{toc}</ul></nav>
{sections}
<p><small>Méthodes : docs/journeys.md. Moteur : {engine}. Calculé en {seconds} s.</small></p>
</body></html>
"""


def _chart(chart: alt.Chart, title: str, table_html: str = "") -> str:
    spec = chart.properties(title=title).to_dict()
    details = (
        f"<details><summary>Les chiffres du graphique</summary>{table_html}</details>"
        if table_html
        else ""
    )
    return (
        f'<figure><div class="vega" role="img" aria-label="{html.escape(title)}" '
        f'data-spec="{html.escape(json.dumps(spec))}"></div>'
        f"<figcaption>{html.escape(title)}</figcaption>{details}</figure>"
    )


def _table(rows: list[dict], columns: list[tuple[str, str, Any]], caption: str) -> str:
    """columns: (key, header, formatter or None); numbers right-aligned."""
    if not rows:
        return f"<p>{html.escape(caption)} : aucune donnée.</p>"
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for _, h, _ in columns)
    body = []
    for r in rows:
        cells = []
        for key, _, fmt in columns:
            value = r.get(key)
            text = fmt(value) if fmt and value is not None else ("" if value is None else value)
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{html.escape(str(text))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _seconds(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if x < 120:
        return f"{x:.0f}\u00a0s"
    if x < 7200:
        return f"{x / 60:.0f}\u00a0min"
    if x < 172800:
        return f"{x / 3600:.1f}\u00a0h".replace(".", ",")
    return f"{x / 86400:.1f}\u00a0j".replace(".", ",")


def _dec(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def _proc(slug: str | None) -> str:
    return PROCEDURES.get(slug or "", slug or "")


def _field(key: str | None) -> str:
    return FIELD_LABELS.get(key or "", key or "")


# -------------------------------------------------------------------------------- sections
def _opportunities(items: list[dict]) -> str:
    if not items:
        return (
            "<p>Aucune difficulté n'a de conséquence mesurable (abandon, retard, contact ou "
            "correction) au-delà du hasard.</p>"
        )
    lis = []
    for o in items:
        related = ""
        if o.get("related"):
            related = (
                '<p class="meta">Même sujet : '
                + "; ".join(html.escape(t) for t in o["related"][:5])
                + ".</p>"
            )
        contacts = ""
        if o.get("contact_examples"):
            contacts = (
                '<p class="meta">Ce que disent les personnes qui appellent : « '
                + html.escape(o["contact_examples"][0])
                + " ».</p>"
            )
        lis.append(
            f"<li><h3>{html.escape(o['title'])}</h3><p>{html.escape(o['text'])}</p>"
            f'<p class="meta">Score {_dec(o["score"])} (IC 95\u00a0% : {_dec(o["score_low"])}'
            f" à {_dec(o['score_high'])}) = {number(o['users'])} personnes × "
            f"{minutes_text(o['minutes_lost'])} × gravité {o['severity']}. "
            f"Appui : {number(o['cases'])} démarches sur {number(o['exposed'])}.</p>"
            f"{related}{contacts}</li>"
        )
    top = items[:15]
    data = pa.table(
        {
            "piste": [f"{o['rank']}. {o['title'][:70]}" for o in top],
            "score": [o["score"] for o in top],
            "bas": [o["score_low"] for o in top],
            "haut": [o["score_high"] for o in top],
        }
    )
    base = alt.Chart(data).encode(alt.Y("piste:N", sort=None, title=None))
    chart = (
        base.mark_bar(color="#0b4fa8").encode(alt.X("score:Q", title="score"))
        + base.mark_rule(color="#1e1e1e").encode(alt.X("bas:Q"), alt.X2("haut:Q"))
    ).properties(width=500)
    table = _table(
        [
            {"piste": r["piste"], "score": r["score"], "bas": r["bas"], "haut": r["haut"]}
            for r in data.to_pylist()
        ],
        [
            ("piste", "Piste", None),
            ("score", "Score", _dec),
            ("bas", "IC bas", _dec),
            ("haut", "IC haut", _dec),
        ],
        "Scores et intervalles de confiance",
    )
    return (
        '<ol class="opportunities">'
        + "".join(lis)
        + "</ol>"
        + _chart(chart, "Score des pistes (barre : intervalle de confiance à 95 %)", table)
    )


def _funnels(funnels: pa.Table) -> str:
    rows = funnels.to_pylist()
    if not rows:
        return ""
    data = [
        {
            "démarche": _proc(r["procedure"]),
            "étape": f"{r['rank']}. {r['stage_label']}",
            "segment": r["segment"],
            "part": r["share_of_started"],
            "cas": r["cases"],
            "abandons": r["dropped"],
        }
        for r in rows
    ]
    chart = (
        alt.Chart(pa.table({k: [d[k] for d in data] for k in data[0]}))
        .mark_line(point=True)
        .encode(
            alt.X("étape:N", title=None, sort=None),
            alt.Y("part:Q", title="part des démarches commencées", axis=alt.Axis(format="%")),
            alt.Color("segment:N"),
            alt.Facet("démarche:N", columns=2, title=None),
            tooltip=[
                "démarche",
                "étape",
                "segment",
                "cas",
                "abandons",
                alt.Tooltip("part:Q", format=".1%"),
            ],
        )
        .properties(width=280, height=160)
    )
    table = _table(
        [r for r in rows if r["segment"] == "tous"],
        [
            ("procedure", "Démarche", _proc),
            ("stage_label", "Étape", None),
            ("cases", "Démarches", number),
            ("share_of_started", "Part", pct),
            ("dropped", "Abandons à cette étape", number),
            ("drop_rate", "Taux d'abandon", pct),
        ],
        "Entonnoirs (tous segments)",
    )
    return _chart(chart, "Entonnoir de chaque démarche, par segment", table)


def _friction(friction: pa.Table, errors: pa.Table) -> str:
    rows = sorted(friction.to_pylist(), key=lambda r: -(r["error_rate"] * r["reached"]))[:25]
    out = _table(
        rows,
        [
            ("procedure", "Démarche", _proc),
            ("field", "Champ", _field),
            ("reached", "Atteint", number),
            ("reach", "Atteinte", pct),
            ("error_rate", "En erreur", pct),
            ("amend_rate", "Modifié plusieurs fois", pct),
            ("median_time_s", "Temps médian", _seconds),
            ("mean_time_s", "Temps moyen", _seconds),
            ("median_hesitation_s", "Hésitation médiane", _seconds),
            ("blank_rate", "Laissé vide", pct),
            ("dropped_here", "Dernier champ avant abandon", number),
        ],
        "Friction par champ (les 25 champs qui produisent le plus d'erreurs)",
    )
    err = errors.to_pylist()[:20]
    if err:
        data = pa.table(
            {
                "erreur": [
                    f"{_field(r['field'])} : {ERROR_CODES.get(r['error_code'], r['error_code'])}"
                    for r in err
                ],
                "démarches": [r["cases"] for r in err],
                "taux": [r["rate"] for r in err],
            }
        )
        chart = (
            alt.Chart(data)
            .mark_bar(color="#a4161a")
            .encode(
                alt.Y("erreur:N", sort="-x", title=None),
                alt.X("démarches:Q", title="démarches avec cette erreur"),
                tooltip=["erreur", "démarches", alt.Tooltip("taux:Q", format=".1%")],
            )
            .properties(width=500)
        )
        out += _chart(
            chart,
            "Erreurs par champ et par code",
            _table(
                data.to_pylist(),
                [
                    ("erreur", "Erreur", None),
                    ("démarches", "Démarches", number),
                    ("taux", "Part des démarches au champ", pct),
                ],
                "Erreurs",
            ),
        )
    return out


def _process(results: dict) -> str:
    dfg = results["dfg"].to_pylist()
    out = ""
    if dfg:
        top = dfg[:60]
        data = pa.table(
            {
                "de": [r["source"] for r in top],
                "vers": [r["target"] for r in top],
                "nombre": [r["count"] for r in top],
                "attente": [r["median_wait_s"] for r in top],
            }
        )
        chart = (
            alt.Chart(data)
            .mark_rect()
            .encode(
                alt.X("vers:N", title="activité suivante"),
                alt.Y("de:N", title="activité"),
                alt.Color("nombre:Q", scale=alt.Scale(scheme="blues")),
                tooltip=[
                    "de",
                    "vers",
                    "nombre",
                    alt.Tooltip("attente:Q", title="attente médiane (s)", format=".0f"),
                ],
            )
        )
        out += _chart(
            chart,
            "Carte du processus : enchaînements directs (les 60 plus fréquents)",
            _table(
                top,
                [
                    ("source", "De", None),
                    ("target", "Vers", None),
                    ("count", "Nombre", number),
                    ("median_wait_s", "Attente médiane", _seconds),
                    ("mean_wait_s", "Attente moyenne", _seconds),
                ],
                "Enchaînements",
            ),
        )
    bottlenecks = results["bottlenecks"].to_pylist()
    out += _table(
        bottlenecks,
        [
            ("source", "De", None),
            ("target", "Vers", None),
            ("count", "Nombre", number),
            ("median_wait_s", "Attente médiane", _seconds),
            ("mean_wait_s", "Attente moyenne", _seconds),
            ("share_of_wait", "Part de toute l'attente", pct),
        ],
        "Goulets d'étranglement : où l'on attend le plus au total",
    )
    variants = results["variants"].to_pylist()[: results.get("top_variants", 20)]
    out += _table(
        [{**v, "variant": " → ".join(v["variant"])} for v in variants],
        [
            ("variant", "Parcours", None),
            ("count", "Démarches", number),
            ("share", "Part", pct),
            ("median_duration_s", "Durée médiane", _seconds),
            ("mean_duration_s", "Durée moyenne", _seconds),
        ],
        f"Variantes : les {len(variants)} parcours les plus fréquents "
        f"(sur {number(results['variants'].num_rows)})",
    )
    durations = results.get("durations_by_procedure")
    rows = durations.to_pylist() if durations is not None else results["durations"].to_pylist()
    for r in rows:
        r.setdefault("procedure", "toutes")
    data = []
    for r in rows:
        data.append(
            {
                "démarche": _proc(r["procedure"]) or "toutes",
                "mesure": "médiane",
                "heures": r["median_h"],
            }
        )
        data.append(
            {
                "démarche": _proc(r["procedure"]) or "toutes",
                "mesure": "moyenne",
                "heures": r["mean_h"],
            }
        )
    chart = (
        alt.Chart(pa.table({k: [d[k] for d in data] for k in ("démarche", "mesure", "heures")}))
        .mark_bar()
        .encode(
            alt.Y("démarche:N", title=None),
            alt.X("heures:Q", title="durée de la démarche (heures)"),
            alt.YOffset("mesure:N"),
            alt.Color("mesure:N", scale=alt.Scale(range=["#0b4fa8", "#e07a00"])),
            tooltip=["démarche", "mesure", alt.Tooltip("heures:Q", format=".2f")],
        )
        .properties(width=500)
    )
    out += _chart(
        chart,
        "Durée des démarches : médiane et moyenne côte à côte",
        _table(
            rows,
            [
                ("procedure", "Démarche", _proc),
                ("cases", "Démarches", number),
                ("median_h", "Médiane (h)", _dec),
                ("mean_h", "Moyenne (h)", _dec),
                ("median_active_min", "Temps actif médian (min)", _dec),
                ("mean_active_min", "Temps actif moyen (min)", _dec),
            ],
            "Durées",
        ),
    )
    return out


def _rework(results: dict) -> str:
    out = _table(
        results["corrections"].to_pylist(),
        [
            ("procedure", "Démarche", _proc),
            ("field", "Champ corrigé", _field),
            ("cases", "Démarches corrigées", number),
            ("confirmed", "Confirmées", number),
            ("rate", "Taux", pct),
        ],
        "Corrections après confirmation",
    )
    out += _table(
        results["correction_reasons"].to_pylist()[:10],
        [
            ("procedure", "Démarche", _proc),
            ("field", "Champ", _field),
            ("reason", "Motif donné", None),
            ("count", "Nombre", number),
        ],
        "Motifs de correction les plus fréquents",
    )
    out += _table(
        results["resubmissions"].to_pylist()[:15],
        [
            ("procedure", "Démarche", _proc),
            ("step", "Page", None),
            ("field", "Champ", _field),
            ("error_code", "Cause", lambda c: ERROR_CODES.get(c, c)),
            ("cases", "Démarches", number),
            ("resubmitted", "Pages renvoyées", number),
        ],
        "Pages envoyées plusieurs fois, et leurs causes",
    )
    return out


def _correlations(table: pa.Table) -> str:
    rows = [r for r in table.to_pylist() if r["ci_low"] > 1 or r["ci_high"] < 1][:20]
    if not rows:
        return "<p>Aucun attribut ni événement n'est lié à l'abandon au-delà du hasard.</p>"
    data = pa.table(
        {
            "facteur": [f"{_proc(r['procedure'])} — {r['label']}" for r in rows],
            "rapport": [r["odds_ratio"] for r in rows],
            "bas": [r["ci_low"] for r in rows],
            "haut": [r["ci_high"] for r in rows],
        }
    )
    base = alt.Chart(data).encode(alt.Y("facteur:N", sort=None, title=None))
    chart = (
        base.mark_rule().encode(
            alt.X("bas:Q", scale=alt.Scale(type="log"), title="rapport des cotes d'abandon"),
            alt.X2("haut:Q"),
        )
        + base.mark_point(filled=True, color="#a4161a").encode(alt.X("rapport:Q"))
    ).properties(width=450)
    return _chart(
        chart,
        "Facteurs liés à l'abandon (rapport des cotes et intervalle à 95 %)",
        _table(
            rows,
            [
                ("procedure", "Démarche", _proc),
                ("label", "Facteur", None),
                ("cases", "Démarches", number),
                ("abandon_rate_with", "Abandon avec", pct),
                ("abandon_rate_without", "Abandon sans", pct),
                ("odds_ratio", "Rapport des cotes", _dec),
                ("ci_low", "IC bas", _dec),
                ("ci_high", "IC haut", _dec),
            ],
            "Facteurs",
        ),
    )


def _contacts(groups) -> str:
    if not groups:
        return "<p>Aucun contact avec l'assistance dans ce journal.</p>"
    rows = [
        {
            "group": g.id + 1,
            "size": g.size,
            "terms": ", ".join(g.terms),
            "examples": " / ".join(f"« {e} »" for e in g.examples),
            "procedures": ", ".join(
                _proc(p) for p, _ in sorted(g.procedures.items(), key=lambda kv: -kv[1])[:3]
            ),
        }
        for g in groups
    ]
    return _table(
        rows,
        [
            ("group", "Groupe", None),
            ("size", "Contacts", number),
            ("terms", "Mots caractéristiques", None),
            ("examples", "Exemples", None),
            ("procedures", "Démarches", None),
        ],
        "Motifs de contact avec l'assistance, regroupés",
    )


def _scripts() -> str:
    import vl_convert as vlc

    bundle = vlc.javascript_bundle(
        "document.querySelectorAll('.vega').forEach(el => "
        "vegaEmbed(el, JSON.parse(el.dataset.spec), {actions: false}));"
    )
    return f'<script type="module">{bundle}</script>'


def render(results: dict, source: str = "", seconds: float | None = None) -> str:
    s = results["summary"]
    sections: list[tuple[str, str, str]] = []
    if "opportunities" in results:
        sections.append(
            (
                "opportunites",
                "Pistes d'amélioration, classées",
                "<p>Chaque piste : personnes concernées × temps perdu × gravité de la "
                "conséquence (abandon 4, retard 3, contact 2, correction 1). Une "
                "difficulté sans conséquence mesurable n'est pas classée.</p>"
                + _opportunities(results["opportunities"]),
            )
        )
        sections.append(
            ("entonnoirs", "Entonnoirs par démarche et segment", _funnels(results["funnels"]))
        )
        sections.append(
            ("champs", "Friction par champ", _friction(results["friction"], results["errors"]))
        )
        sections.append(("reprises", "Reprises : corrections et renvois", _rework(results)))
        sections.append(
            ("abandon", "Ce qui est lié à l'abandon", _correlations(results["correlations"]))
        )
        sections.append(
            ("contacts", "Pourquoi on contacte l'assistance", _contacts(results["contact_groups"]))
        )
    sections.append(("processus", "Carte du processus, variantes et durées", _process(results)))
    toc = "".join(f'<li><a href="#{i}">{html.escape(t)}</a></li>' for i, t, _ in sections)
    body = "".join(
        f'<section aria-labelledby="{i}"><h2 id="{i}">{html.escape(t)}</h2>{c}</section>'
        for i, t, c in sections
    )
    if "opportunities" not in results:
        body = (
            '<p id="opportunites">Ce journal ne vient pas des démarches de la plateforme : '
            "seules la carte du processus, les variantes et les durées s'appliquent.</p>"
        ) + body
    summary = (
        f"{html.escape(source)} : {number(s['events'])} événements, {number(s['cases'])} "
        f"démarches, {number(s['users'])} personnes, {s['activities']} activités."
    )
    page = PAGE.format(
        title="Où les usagers rencontrent-ils des difficultés ?",
        summary=summary,
        toc=toc,
        sections=body,
        engine=html.escape(results["engine"]),
        seconds=f"{seconds:.1f}".replace(".", ",") if seconds is not None else "?",
    )
    return page.replace("</body>", _scripts() + "</body>")


def write_report(results: dict, target: str | Path, source: str = "",
                 seconds: float | None = None) -> Path:  # fmt: skip
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(results, source, seconds), encoding="utf-8")
    return target
