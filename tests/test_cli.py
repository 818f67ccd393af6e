"""The command line, as a person uses it."""

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from unefois.cli import app

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ama-52-semaines.yaml"
runner = CliRunner()


def test_paie_prints_an_explained_payslip():
    result = runner.invoke(app, ["paie", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Salaire brut" in result.output
    assert "À déclarer sur Pajemploi" in result.output


def test_paie_json_gives_lines_with_formula_and_reference():
    result = runner.invoke(app, ["paie", str(EXAMPLE), "--json"])
    data = json.loads(result.output)
    base = next(line for line in data["lignes"] if line["code"] == "base_pay")
    assert base["montant"] == "702.00"  # 4.50 € × 36 h × 52 ÷ 12
    assert "52 semaines" in base["formula"]
    assert "art. 108" in base["reference"]
    assert data["declaration_pajemploi"]["heures_normales"] == "147"  # 156 h − 9 h d'absence


def test_a_malformed_file_exits_2_with_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("hourly_gross: 4.50", "hourly_gross: -4"))
    result = runner.invoke(app, ["paie", str(bad)])
    assert result.exit_code == 2
    assert "contract.hourly_gross" in result.output


def test_a_missing_file_is_reported(tmp_path):
    result = runner.invoke(app, ["paie", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert "introuvable" in result.output


def test_a_payslip_in_error_exits_1_and_shows_no_amount(tmp_path):
    low = tmp_path / "low.yaml"
    low.write_text(EXAMPLE.read_text().replace("hourly_gross: 4.50", "hourly_gross: 2.00"))
    result = runner.invoke(app, ["paie", str(low)])
    assert result.exit_code == 1
    assert "minimum" in result.output
    assert "Salaire de base" not in result.output


def test_batch_parquet_computes_every_row_and_marks_errors(tmp_path):
    source = tmp_path / "in.parquet"
    table = pa.table(
        {
            "kind": pa.array([0, 1, 0], pa.int8()),
            "period": pa.array([2025 * 12 + 9] * 3, pa.int32()),
            "contract_start": pa.array(["2025-01-06"] * 3).cast(pa.date32()),
            "sched_0": [9.0, 8.0, 9.0],
            "sched_1": [9.0, 8.0, 9.0],
            "hourly_gross": [4.5, 13.0, 1.0],
        }
    )
    pq.write_table(table, source)
    target = tmp_path / "out.parquet"
    result = runner.invoke(app, ["paie", "--batch", str(source), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "3 bulletins calculés, 1 en erreur" in result.output
    out = pq.read_table(target).to_pydict()
    assert out["erreurs"][2] == "SALAIRE_INFERIEUR_MINIMUM"
    assert out["erreurs"][0] == ""
    assert np.isnan(out["gross_pay"][2])
    assert out["gross_pay"][0] > 0


def test_batch_needs_an_output():
    result = runner.invoke(app, ["paie", "--batch", "x.parquet"])
    assert result.exit_code == 2
    assert "--out" in result.output
