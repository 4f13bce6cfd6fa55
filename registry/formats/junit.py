"""JUnit XML: one test suite per check, one test case per finding.

``fail`` is a ``<failure>``, ``review`` a ``<failure type="review">`` (the pipeline must not
pass it silently; the exit code is 3), ``n/a`` is ``<skipped>``, ``pass`` an empty case.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from registry.compliance.model import CheckResult


def render_junit(results: Sequence[CheckResult], many: bool) -> str:
    root = ET.Element("testsuites", name="modelreg check")
    total = failures = skipped = 0
    for result in results:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"{result.deployment or result.model} ({result.org}, {result.use})",
        )
        s_fail = s_skip = 0
        for f in result.findings:
            case = ET.SubElement(
                suite, "testcase", classname=f"modelreg.{f.license}", name=f"{f.rule} [{f.license}]"
            )
            text = f"{f.reason} ({f.clause})"
            if f.status == "fail":
                ET.SubElement(case, "failure", message=text, type="fail").text = text
                s_fail += 1
            elif f.status == "review":
                ET.SubElement(case, "failure", message=text, type="review").text = text
                s_fail += 1
            elif f.status == "n/a":
                ET.SubElement(case, "skipped", message=text)
                s_skip += 1
            else:
                ET.SubElement(case, "system-out").text = text
        suite.set("tests", str(len(result.findings)))
        suite.set("failures", str(s_fail))
        suite.set("errors", "0")
        suite.set("skipped", str(s_skip))
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="verdict", value=result.verdict)
        total += len(result.findings)
        failures += s_fail
        skipped += s_skip
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
