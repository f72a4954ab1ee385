"""desk (接待台): the domain core. Pure Python: no Textual, no TinyDB."""

__version__ = "0.1.0"
