"""openapi.yaml passes Spectral (spectral:oas, .spectral.yaml) and Redocly (recommended,
redocly.yaml) with 0 errors and 0 warnings: ``make lint``, with the pinned npm tools."""
import os
import subprocess

from support import ROOT  # noqa: E402


def test_make_lint_finds_no_errors_or_warnings():
    run = subprocess.run(["make", "--no-print-directory", "lint"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "REDOCLY_TELEMETRY": "off"})
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert "No results with a severity of 'hint' or higher found!" in output, output[-3000:]
    assert "Your API description is valid" in output and "warning" not in output.split("validating openapi.yaml")[-1]
