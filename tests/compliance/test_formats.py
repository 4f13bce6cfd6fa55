"""Every output format of ``check`` has a renderer."""

from __future__ import annotations

from registry.cli.check import renderer
from registry.compliance.model import CheckResult, Finding
from registry.formats import CheckFormat


def test_every_format_has_a_renderer() -> None:
    result = CheckResult(
        model="m",
        org="o",
        use="service",
        verdict="non_compliant",
        findings=(Finding("built-with", "llama3", "fail", "no attestation", "§1.b.i", ("m",)),),
    )
    for fmt in CheckFormat:
        text = renderer(fmt)([result], False)
        assert isinstance(text, str) and "built-with" in text, fmt
        text = renderer(fmt)([result, result], True)
        assert isinstance(text, str) and "built-with" in text, fmt
