"""The API's models (generated from ``openapi/threads-runs.yaml``), under their API names.

``from threadruns.types import RunObject`` is the supported import; the
generated package ``threadruns_api.models`` is where they are defined. A model
is imported on first use (module ``__getattr__``), not with this module.
"""

from typing import TYPE_CHECKING

from threadruns_api.models import __all__ as __all__

if TYPE_CHECKING:
    from threadruns_api.models import *  # noqa: F403
else:
    from typing import Any

    from threadruns_api import models as _models

    def __getattr__(name: str) -> Any:
        if name not in __all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_models, name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
