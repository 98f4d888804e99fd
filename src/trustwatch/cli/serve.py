"""``trustwatch serve``: API, embedded bus worker (and the review console) in one process."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", help="interface to listen on (default TRUSTWATCH_HOST or 127.0.0.1)")
@click.option("--port", type=int, help="port (default TRUSTWATCH_PORT or 8000)")
@click.option("--no-worker", is_flag=True, help="do not consume the bus in this process")
def serve(host: str | None, port: int | None, no_worker: bool) -> None:
    """Run trustwatch on the embedded defaults: SQLite store and bus under the data dir.

    On first start it creates an admin API key and writes it to DATA_DIR/bootstrap.key.
    """
    import gc
    import signal
    import sys

    import uvicorn

    from trustwatch.api.app import create_app
    from trustwatch.api.bootstrap import ensure_bootstrap_key
    from trustwatch.observability import configure_logging
    from trustwatch.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    app = create_app(settings, embedded_worker=settings.embedded_worker and not no_worker)
    key_file = ensure_bootstrap_key(app.state.service.store, settings)
    if key_file is not None:
        click.echo(f"first start: an admin API key was written to {key_file}", err=True)
    # Lexicons, detectors and the pack live as long as the process: keep them out of the
    # collector's full passes, which otherwise stall requests for tens of milliseconds.
    gc.collect()
    gc.freeze()
    # A check allocates and frees thousands of containers; at the default threshold (700)
    # those transient peaks trigger a young collection every dozen requests (~45 us of CPU
    # per request, and a 25 ms full pass every ~1,500). At 10,000 only objects that
    # outlive requests add up.
    gc.set_threshold(10_000, 10, 10)
    # The event loop shares the GIL with the verdict writer and the worker: hand it over
    # every 0.5 ms rather than every 5 ms, so a request never waits long behind a commit.
    sys.setswitchinterval(0.0005)
    # uvicorn shuts down gracefully on these, then re-raises them: exit 0 after that, not -15.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
        # "auto" picks uvloop and httptools, which uvicorn[standard] installs.
        loop="auto",
        http="auto",
    )


COMMANDS = [serve]
