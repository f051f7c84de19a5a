"""The report of ``threadruns.conformance.check``: one row per check, as text, JSON, JUnit XML or a rich table."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from xml.etree import ElementTree

Outcome = Literal["pass", "deviation", "not supported"]

# What XML 1.0 cannot hold; details quote the server's text, which may contain anything.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


@dataclass(frozen=True)
class CheckResult:
    """One check: the operation, what was checked, the outcome, and for a deviation what clients see."""

    operation: str
    check: str
    outcome: Outcome
    detail: str = ""
    clients_see: str = ""
    note: str = ""  # something worth knowing that is not a deviation, such as keys the spec does not list


@dataclass
class Report:
    """Every check of one run of ``check``; ``ok`` when nothing deviates."""

    results: list[CheckResult] = field(default_factory=list)
    base_url: str = ""
    seconds: float = 0.0

    @property
    def deviations(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == "deviation"]

    @property
    def unsupported(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == "not supported"]

    @property
    def ok(self) -> bool:
        return not self.deviations

    def summary(self) -> str:
        return f"{len(self.results)} checks, {len(self.deviations)} deviations, {len(self.unsupported)} not supported"

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "seconds": round(self.seconds, 3),
            "summary": self.summary(),
            "checks": len(self.results),
            "deviations": len(self.deviations),
            "not_supported": len(self.unsupported),
            "results": [asdict(r) for r in self.results],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def table(self) -> str:
        """The report as plain text: one line per check (with the detail and what clients see), then the summary."""
        width = max([len(r.operation) for r in self.results] + [9])
        lines = []
        for r in self.results:
            line = f"{r.operation:<{width}}  {r.outcome:<13}  {r.check}"
            if r.outcome != "pass" and r.detail:
                line += f": {r.detail}"
            if r.clients_see:
                line += f"\n{'':<{width}}  {'':<13}  clients see: {r.clients_see}"
            if r.note:
                line += f"\n{'':<{width}}  {'':<13}  note: {r.note}"
            lines.append(line)
        return "\n".join([*lines, self.summary()])

    def to_junit(self) -> str:
        """JUnit XML for CI: a test case per check, a deviation a failure, not supported a skip."""
        suite = ElementTree.Element(
            "testsuite",
            name="threadruns conformance",
            tests=str(len(self.results)),
            failures=str(len(self.deviations)),
            skipped=str(len(self.unsupported)),
            errors="0",
            time=f"{self.seconds:.3f}",
        )
        if self.base_url:
            properties = ElementTree.SubElement(suite, "properties")
            ElementTree.SubElement(properties, "property", name="base_url", value=_xml(self.base_url))
        for r in self.results:
            case = ElementTree.SubElement(suite, "testcase", classname=_xml(r.operation), name=_xml(r.check))
            if r.outcome == "deviation":
                failure = ElementTree.SubElement(case, "failure", message=_xml(r.detail or r.check))
                failure.text = _xml(f"clients see: {r.clients_see}" if r.clients_see else r.detail)
            elif r.outcome == "not supported":
                ElementTree.SubElement(case, "skipped", message=_xml(r.detail or "not supported"))
            if r.note:
                ElementTree.SubElement(case, "system-out").text = _xml(r.note)
        ElementTree.indent(suite)
        return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"

    def rich_table(self) -> Any:
        """The report as a ``rich`` table (needs the ``cli`` extra): operation x check, coloured by outcome."""
        from rich.table import Table
        from rich.text import Text

        styles = {"pass": "green", "deviation": "bold red", "not supported": "yellow"}
        table = Table(title=f"threadruns conformance: {self.base_url}", caption=self.summary(), show_lines=False)
        table.add_column("operation", style="cyan", no_wrap=True)
        table.add_column("check")
        table.add_column("outcome", no_wrap=True)
        table.add_column("detail / what clients see", overflow="fold")
        for r in self.results:
            note = "\n".join(
                part
                for part in (
                    r.detail if r.outcome != "pass" else "",
                    f"[clients] {r.clients_see}" if r.clients_see else "",
                    f"[note] {r.note}" if r.note else "",
                )
                if part
            )
            table.add_row(r.operation, r.check, Text(r.outcome, style=styles[r.outcome]), Text(note))
        return table


__all__ = ["CheckResult", "Outcome", "Report"]
