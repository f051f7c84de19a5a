"""Checked by ``mypy --strict`` (not run): the generated models are fully typed."""

from threadruns_api.models import RunObject, RunStatus
from threadruns_api.types import Unset


def status_of(payload: dict[str, object]) -> RunStatus:
    run: RunObject = RunObject.from_dict(payload)
    temperature: float | Unset | None = run.temperature
    del temperature
    return run.status
