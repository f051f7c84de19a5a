"""threadruns: a typed Python SDK for the Runs API of OpenAI-style Assistants servers."""

from ._version import __version__

__all__ = ["__version__"]
