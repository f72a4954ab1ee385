"""`desk serve`: the desk and the hall display in a browser, one desk process per tab.

Imports the domain (`desk`) and the web server; the launcher passes in the program each tab runs."""

from deskweb.server import HallServer, serve

__all__ = ["HallServer", "serve"]
