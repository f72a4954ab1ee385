"""The composition root: the one module that knows storage, the domain and the UI.

`desk ...` (the console script) and `python desk.py ...` both call `main` here.
"""

from __future__ import annotations

import sys


def _run_app(request) -> int:
    if request.display:
        from screens.display import create_display_app

        display = create_display_app(request.desk, lang=request.lang)
        display.run()
        return 0
    from screens.app import create_app  # Textual loads only when the app is wanted

    data_dir = getattr(request.desk.store, "data_dir", None)  # storage's JournalStore has one
    crash_log = data_dir / "crash.log" if data_dir is not None else None
    app = create_app(request.desk, lang=request.lang, notice=request.notice, background=request.background,
                     crash_log=crash_log)
    app.run()
    return app.return_code or 0


def _serve(request) -> int:
    """Each browser tab runs this very launcher, with the same Python, as its own desk."""
    from pathlib import Path

    import deskweb

    return deskweb.serve(request, program=[sys.executable, str(Path(__file__).resolve())])


def main(argv: list[str] | None = None) -> int:
    from desk.cli import Wiring
    from desk.cli import main as cli_main
    from storage import FileAuditLog, FileDraftBox, maintenance, open_store

    wiring = Wiring(open_store=open_store, open_drafts=FileDraftBox, run_app=_run_app, open_audit=FileAuditLog,
                    maintenance=maintenance, serve=_serve)
    return cli_main(argv, wiring=wiring)


if __name__ == "__main__":
    sys.exit(main())
