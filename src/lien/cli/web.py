"""``lien serve``: the dashboard on http://127.0.0.1:8765 (loopback unless told otherwise)."""
from __future__ import annotations

import os
from typing import Optional

import typer

from .. import i18n
from .app import app, state
from .output import out

i18n.register({
    "serve.open": {"en": "lien dashboard: {url}  (Ctrl+C to stop)", "fr": "Tableau de bord lien : {url}  (Ctrl+C pour arrêter)"},
    "serve.token": {"en": "Open it once with the token: {url}?token=…", "fr": "Ouvrez-le une fois avec le jeton : {url}?token=…"},
})


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind. Anything but loopback needs --password "
                             "or --token."),
    port: int = typer.Option(8765, "--port", help="TCP port."),
    password: Optional[str] = typer.Option(None, "--password", envvar="LIEN_PASSWORD",
                                           help="Require this password (a login form). Or LIEN_PASSWORD."),
    token: Optional[str] = typer.Option(None, "--token", envvar="LIEN_TOKEN",
                                        help="Require this token (Authorization: Bearer, or ?token= once). Or LIEN_TOKEN."),
) -> None:
    """The web dashboard: this week's to-do lists, people, inbox, channels, events, goals, identities,
    settings; every page also as JSON under /api/. Stop it to import (DuckDB allows one writer)."""
    from ..web import create_app
    from ..web.security import check_bind

    check_bind(host, password=password, token=token)
    try:
        import uvicorn
    except ModuleNotFoundError as e:
        from ..errors import MissingExtra

        raise MissingExtra("uvicorn", "web") from e
    application = create_app(state.open(), host=host, password=password, token=token)
    # the navigation pages are built before the server answers (the first visit after an import
    # finds them ready: about 1.5 s on a million acts, a few tenths on a small workspace), and
    # again in the background after each action
    application.state.warm(i18n.get_lang())
    application.state.warm_after_actions = True
    url = f"http://{host if ':' not in host else '[' + host + ']'}:{port}/"
    out.print(i18n.t("serve.open", url=url), markup=False)
    if token:
        out.print(i18n.t("serve.token", url=url), markup=False)
    uvicorn.run(application, host=host, port=port, log_level=os.environ.get("LIEN_LOG_LEVEL", "warning"),
                server_header=False)
