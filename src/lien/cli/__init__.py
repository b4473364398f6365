"""The ``lien`` command: thin, one module per command family, every command calling one
library function. Errors become messages and exit codes here, in one place."""
from __future__ import annotations

import sys

import typer

try:  # recent Typer runs on its own vendored copy of Click: catch its exceptions, and click's
    from typer._click.exceptions import ClickException as _TyperClickException
except ImportError:  # pragma: no cover - older Typer on the real Click
    from click import ClickException as _TyperClickException
from click import ClickException as _ClickException

_CLICK_ERRORS = (_TyperClickException, _ClickException)

from ..errors import LienError, UsageError
from .app import app
from . import data as _data  # noqa: F401  (registers the commands)
from .output import print_error

COMMAND_MODULES = ["data"]


def _load_optional_commands() -> None:
    """Command families added by other parts of lien register themselves on import."""
    import importlib

    for mod in ("model", "org", "identity", "web", "demo", "evaluate", "report"):
        try:
            importlib.import_module(f"{__name__}.{mod}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{mod}":
                raise
        else:
            COMMAND_MODULES.append(mod)


_load_optional_commands()


def main(argv: list[str] | None = None) -> int:
    try:
        rc = app(args=argv, standalone_mode=False, prog_name="lien")
        # without standalone mode, click returns a command's typer.Exit(code) instead of raising it
        return rc if isinstance(rc, int) else 0
    except LienError as e:
        print_error(e)
        return 2 if isinstance(e, UsageError) else 1
    except typer.Exit as e:
        return int(e.exit_code or 0)
    except _CLICK_ERRORS as e:
        e.show()
        return int(e.exit_code)
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        return 130


def run() -> None:  # console entry point
    sys.exit(main())


__all__ = ["app", "main", "run", "typer"]
