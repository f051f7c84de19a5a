"""The API's models (generated from ``openapi/threads-runs.yaml``), under their API names.

``from threadruns.types import RunObject`` is the supported import; the
generated package ``threadruns_api.models`` is where they are defined.
"""

from threadruns_api.models import *  # noqa: F403
from threadruns_api.models import __all__ as __all__
