"""The API's models (generated from ``openapi/threads-runs.yaml``), under their API names.

``from threadruns.types import RunObject`` is the supported import; the
generated package ``threadruns_api.models`` is where they are defined. A model
is imported on first use (module ``__getattr__``), not with this module.

Beside the API's names: ``Unset``/``UNSET`` (what a field the answer left out holds), and
openai-python's short names for the models typed code uses most (``Run``, ``RunStep``,
``Message``, ``ToolOutput``, ``RequiredActionFunctionToolCall``).
"""

from typing import TYPE_CHECKING

from threadruns_api.models import __all__ as _models_all
from threadruns_api.types import UNSET, Unset  # noqa: F401 (re-exported through __all__)

# openai-python's name -> the generated model it stands for.
_ALIASES = {
    "Message": "MessageObject",
    "RequiredActionFunctionToolCall": "RunToolCallObject",
    "Run": "RunObject",
    "RunStep": "RunStepObject",
    "ToolOutput": "SubmitToolOutputsRunRequestToolOutputsItem",
}

__all__ = sorted([*_models_all, *_ALIASES, "UNSET", "Unset"])

if TYPE_CHECKING:
    from threadruns_api.models import *  # noqa: F403
    from threadruns_api.models import MessageObject as Message  # noqa: F401
    from threadruns_api.models import RunObject as Run  # noqa: F401
    from threadruns_api.models import RunStepObject as RunStep  # noqa: F401
    from threadruns_api.models import RunToolCallObject as RequiredActionFunctionToolCall  # noqa: F401
    from threadruns_api.models import SubmitToolOutputsRunRequestToolOutputsItem as ToolOutput  # noqa: F401
else:
    from typing import Any

    from threadruns_api import models as _models

    def __getattr__(name: str) -> Any:
        target = _ALIASES.get(name, name)
        if target not in _models_all:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_models, target)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
