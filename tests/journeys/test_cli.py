from typer.testing import CliRunner

from unefois.cli import app
from unefois.journeys import io, synthetic

from .conftest import log_path

runner = CliRunner()


def test_report_on_synthetic_journeys(tmp_path):
    log = tmp_path / "parcours.parquet"
    io.write(synthetic.generate(synthetic.Settings(cases=3_000, seed=3)), log)
    out = tmp_path / "rapport.html"
    result = runner.invoke(app, ["journeys", "report", str(log), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert '<html lang="fr">' in page
    first = page.index('<h2 id="opportunites">')
    assert first < page.index('<h2 id="entonnoirs">') < page.index('<h2 id="processus">')
    assert '<script type="module">' in page
    assert "JSON.parse(el.dataset.spec)" in page
    assert "<script src=" not in page
    assert "<caption>" in page
    assert 'scope="col"' in page


def test_report_on_a_public_log_and_export(tmp_path):
    out = tmp_path / "receipt.html"
    result = runner.invoke(
        app, ["journeys", "report", str(log_path("receipt.xes.gz")), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "8 577 événements" in result.output
    assert "Variantes" in out.read_text(encoding="utf-8")
    csv = tmp_path / "receipt.csv"
    result = runner.invoke(
        app, ["journeys", "export", str(log_path("receipt.xes.gz")), "--out", str(csv)]
    )
    assert result.exit_code == 0, result.output
    assert io.read(csv).num_rows == 8_577


def test_unknown_engine_and_missing_file(tmp_path):
    result = runner.invoke(app, ["journeys", "report", "x.parquet", "--engine", "oracle"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["journeys", "report", str(tmp_path / "absent.xes")])
    assert result.exit_code == 2
    assert "introuvable" in result.output
