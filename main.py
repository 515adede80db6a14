"""Aurora Studio's commands: the dashboard with its embedded backend, the backend alone, or the
terminal client of either.

    python main.py [serve] [--host H] [--port P] [--api-url URL] [--data-dir D]
    python main.py api [--host H] [--port P] [--data-dir D]
    python main.py worker [--concurrency N] [--name NAME] [--data-dir D]
    python main.py users add NAME [--admin] [--password-stdin] | remove NAME | list [--data-dir D]
    python main.py generate|watch|jobs|cancel|retry|delete|run-next|download … [--api-url URL]

Each program has its own settings (``AURORA_*``, a flag overriding its variable); this file
is the only place that wires the two programs together. Imports live inside the functions:
render workers are spawned processes, and a spawned process re-imports this file, which must
then cost nothing and start nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.backend.settings import BackendSettings
    from services.dashboard.settings import DashboardSettings
    from services.dashboard.sign_in import PasswordBook

CLIENT_COMMANDS = ("generate", "watch", "jobs", "cancel", "retry", "delete", "run-next",
                   "download")  # the terminal client's (services/terminal)
COMMANDS = ("serve", "api", "worker", "users", *CLIENT_COMMANDS)
NOT_SETTINGS = ("command", "concurrency", "name", "action", "admin", "password_stdin")


def serve(dashboard_settings: DashboardSettings, backend_settings: BackendSettings) -> None:
    """The dashboard: shared services, sign-in, the embedded backend (unless remote), pages;
    run."""
    import os

    # NiceGUI reads where it keeps signed-in sessions once, when it is first imported.
    os.environ["NICEGUI_STORAGE_PATH"] = str(dashboard_settings.data_dir / "sessions")
    from nicegui import app, run, ui

    from services.dashboard.shared import Dashboard
    from services.startup import secret_in
    from ui.access import Access, SignInGuard
    from ui.pages import register_pages

    dashboard = Dashboard.create(dashboard_settings)
    app.on_shutdown(dashboard.aclose)  # first: its streams close before the backend stops
    access = Access(dashboard_settings, dashboard.client, book=password_book(
        dashboard_settings, backend_settings))
    app.add_middleware(SignInGuard, access=access)  # inside NiceGUI's session middleware
    app.on_startup(access.start)
    app.on_shutdown(access.stop)
    dashboard.media.install(app)
    dashboard.metrics.install(app)
    if dashboard_settings.embedded:
        from services.backend.app import VideoBackend

        backend = VideoBackend(backend_settings)
        backend.install(app)
        dashboard.metrics.include(backend.metrics.exposition)  # one process, one /metrics
        app.on_startup(backend.start)
        app.on_shutdown(backend.stop)
    register_pages(dashboard, access)
    run.process_pool_start_method = "spawn"
    secret, cookie = None, None
    if access.mode == "accounts":  # signed cookies: HttpOnly always, SameSite=Lax, 0600 key
        secret = secret_in(dashboard_settings.data_dir / "session.key").hex()
        cookie = {"max_age": int(dashboard_settings.session_hours * 3600), "same_site": "lax"}
    ui.run(host=dashboard_settings.host, port=dashboard_settings.port, title="Aurora Studio",
           language="en-US", dark=True, reload=False, show=False, favicon="🎬",
           timeout_graceful_shutdown=3,
           storage_secret=secret, session_middleware_kwargs=cookie,
           proxy_headers=False)  # the peer stays the peer: ui/access.py believes proxies it trusts


def password_book(dashboard: DashboardSettings, backend: BackendSettings) -> PasswordBook | None:
    """For a dashboard with accounts and a remote backend: the accounts of its own data dir
    (``users add`` there), used where that backend has none."""
    if dashboard.auth != "accounts" or dashboard.embedded:
        return None
    from services.backend.accounts import PasswordBook
    from services.backend.engines import job_store

    return PasswordBook(job_store(backend))


def serve_api(settings: BackendSettings) -> None:
    """The backend alone: its API on its own port, no dashboard (nothing of NiceGUI loads)."""
    import uvicorn

    from services.backend.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="info", timeout_graceful_shutdown=3)


def serve_worker(settings: BackendSettings, *, concurrency: int | None, name: str | None) -> None:
    """A Celery render worker of a cluster (``AURORA_REDIS_URL`` is its broker)."""
    from services.backend.cluster.worker import run_worker

    run_worker(settings, concurrency=concurrency or settings.render_workers, name=name)


def _parser() -> argparse.ArgumentParser:
    """The commands and their flags; each flag overrides its ``AURORA_*`` variable."""
    parser = argparse.ArgumentParser(prog="aurora", description="Aurora Studio")
    commands = parser.add_subparsers(dest="command", required=True)
    dashboard = commands.add_parser("serve", help="the dashboard (the default command)")
    backend = commands.add_parser("api", help="the video backend's API alone")
    for command in (dashboard, backend):
        command.add_argument("--host", help="address to listen on (default 127.0.0.1)")
        command.add_argument("--port", type=int, help="port to listen on")
        command.add_argument("--data-dir", help="where the backend keeps jobs and media")
    dashboard.add_argument("--api-url", help="use this backend instead of the embedded one")
    worker = commands.add_parser("worker", help="a render worker of a cluster (Celery)")
    worker.add_argument("--data-dir", help="where the worker keeps its scratch files")
    worker.add_argument("--concurrency", type=int, help="pieces rendered at once "
                                                        "(default AURORA_RENDER_WORKERS)")
    worker.add_argument("--name", help="the worker's name in the logs (default render)")
    _add_users_parser(commands)
    from services.terminal.command_line import add_client_commands

    add_client_commands(commands)
    return parser


def _add_users_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``users add|remove|list``: the accounts in the backend's store."""
    users = commands.add_parser("users", help="add, remove or list the users who may sign in")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user (asks for the password twice)")
    remove = actions.add_parser("remove", help="remove a user and their API tokens")
    listing = actions.add_parser("list", help="every user, by name")
    for action in (add, remove):
        action.add_argument("name", metavar="NAME", help="the user's name (or e-mail address)")
    add.add_argument("--admin", action="store_true", help="make the user an administrator")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password as one line of standard input")
    for action in (add, remove, listing):
        action.add_argument("--data-dir", help="where the backend keeps jobs and users")


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The command line, ``serve`` when no command is named."""
    args = list(argv)
    if not args or (args[0] not in COMMANDS and args[0] not in ("-h", "--help")):
        args.insert(0, "serve")
    return _parser().parse_args(args)


def prepare(args: argparse.Namespace) -> Callable[[], None]:
    """The command, ready to run once its settings are read and checked.

    Raises ``SettingsError`` naming the first wrong setting.
    """
    if args.command in CLIENT_COMMANDS:
        return lambda: run_client(args)
    from services.backend.settings import BackendSettings
    from services.startup import SettingsError, check_port_free, read_settings

    flags = {name: value for name, value in vars(args).items() if name not in NOT_SETTINGS}
    backend = read_settings(BackendSettings, flags)
    if args.command == "users":
        check_backend(backend)
        return users_action(backend, args)
    if args.command == "worker":
        if backend.redis_url is None:
            raise SettingsError("A render worker needs AURORA_REDIS_URL: the Redis its jobs "
                                "come from")
        check_backend(backend)
        return lambda: serve_worker(backend, concurrency=args.concurrency, name=args.name)
    if args.command == "api":
        check_who_gets_in(backend.host, backend.auth)
        check_port_free(backend.host, backend.port)
        check_backend(backend)
        return lambda: serve_api(backend)
    from services.dashboard.settings import DashboardSettings

    dashboard = read_settings(DashboardSettings, flags)
    check_who_gets_in(dashboard.host, dashboard.auth)
    check_port_free(dashboard.host, dashboard.port)
    if dashboard.embedded:
        check_backend(backend)
        share_service_token(dashboard, backend)
    return lambda: serve(dashboard, backend)


def check_who_gets_in(host: str, auth: str | None) -> None:
    """Beyond loopback, who gets in must be a choice: ``SettingsError`` when it was not made."""
    import ipaddress

    from services.startup import SettingsError

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if auth is None and not loopback:
        raise SettingsError(
            f"--host {host} is reachable from the network: choose who gets in with "
            "AURORA_AUTH=accounts (users sign in), proxy (a sign-in proxy names them) "
            "or open (anyone who reaches the port)")


def share_service_token(dashboard: DashboardSettings, backend: BackendSettings) -> None:
    """The dashboard and its embedded backend agree on the service token: the one
    ``AURORA_SERVICE_TOKEN`` names, or one made for this run (it never leaves the process).
    Never ``AURORA_API_TOKEN``: that is a user's token in a shell that runs the terminal
    client, and must not become one that may act for anyone."""
    import secrets

    from pydantic import SecretStr

    if backend.service_token is None:
        backend.service_token = SecretStr(secrets.token_urlsafe(32))
    dashboard.api_token = backend.service_token.get_secret_value()


def users_action(settings: BackendSettings, args: argparse.Namespace) -> Callable[[], None]:
    """The ``users`` action the command line names."""
    from services.backend import users_command as users

    if args.action == "add":
        return lambda: users.add_user(settings, args.name, admin=args.admin,
                                      password_stdin=args.password_stdin)
    if args.action == "remove":
        return lambda: users.remove_user(settings, args.name)
    return lambda: users.list_users(settings)


def run_client(args: argparse.Namespace) -> None:
    """A terminal client command, ending with its exit code (0 done, 1 the job failed, 2 a bad
    argument, 3 the backend unreachable)."""
    from services.terminal.actions import run

    raise SystemExit(run(args))


def check_backend(settings: BackendSettings) -> None:
    """The backend's data dir must be writable and every engine its settings choose must
    answer (``SettingsError`` otherwise)."""
    import asyncio

    from services.backend.engines import check_reachable
    from services.startup import check_dir_writable

    check_dir_writable(settings.data_dir)
    asyncio.run(check_reachable(settings))


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command; a wrong setting stops start-up with one clear line and exit code 2."""
    from services.startup import SettingsError

    try:
        command = prepare(parse(sys.argv[1:] if argv is None else argv))
    except SettingsError as error:
        print(f"aurora: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    command()


if __name__ == "__main__":
    main()
