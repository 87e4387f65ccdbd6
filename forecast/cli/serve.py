"""``forecast serve [--region NAME|DIR] [--port 8000]``: the local web workbench and its JSON API
(:mod:`forecast.apps.serve`), bound to 127.0.0.1 unless ``--host`` says otherwise — and then only
with a token. The parser is registered here; the body's imports wait until it runs."""

from __future__ import annotations

__all__ = ["register", "cmd_serve"]


def _port(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"the port must be a whole number (found {text!r}); write e.g. --port 8000"
        ) from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"the port must be from 1 to 65535 (found {value}); write e.g. --port 8000")
    return value


def register(command, count) -> None:
    """The ``serve`` subcommand (parser only): ``command`` makes a subparser with the shared options
    (``--region``: a shipped bundle's name or a bundle folder, selected first), ``count`` parses whole numbers."""
    p = command(
        "serve",
        "start the local web workbench (地区, 情景, 结果, 预算, 求解, 报告) and its JSON API, and print the address to "
        "open",
    )
    p.add_argument("--port", type=_port, default=8000, metavar="PORT", help="the port to listen on (default 8000)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="HOST",
        help="the address to listen on (default 127.0.0.1: this machine only); any other needs --token",
    )
    p.add_argument(
        "--token",
        metavar="TOKEN",
        help=(
            "a secret every request must carry (required with --host other than localhost; or set FORECAST_SERVE_TOKEN)"
        ),
    )
    p.add_argument(
        "--bundle",
        action="append",
        default=[],
        metavar="DIR",
        help="offer a local region bundle (a folder holding region.yaml) beside the shipped ones; may be repeated",
    )
    p.add_argument(
        "--workers",
        type=count(1, "the number of workers", "--workers 2"),
        default=None,
        metavar="K",
        help="worker processes that run the model (default: the cores, at most 2)",
    )
    p.add_argument(
        "--cache",
        metavar="DIR",
        help=(
            "keep runs, reforms and uploads in DIR (kept across restarts: permalinks answer from it); default: a "
            "private temporary folder removed at exit"
        ),
    )
    p.set_defaults(handler=cmd_serve)


def _regions(args) -> tuple[dict, str, frozenset]:
    """The regions offered (shipped, then local), the one selected first, and the local ones' names."""
    from pathlib import Path

    from ..apps.serve.catalog import shipped_regions
    from ..errors import InputError, Problem
    from ..inputs.region import load_region

    regions = shipped_regions()
    local = []
    folders = list(args.bundle) + ([args.region] if args.region and args.region not in regions else [])
    for folder in folders:
        bundle = load_region(folder)  # a bad bundle is refused here, with its messages
        name = Path(bundle.path).resolve().name
        if name in regions and Path(regions[name]).resolve() == Path(bundle.path).resolve():
            continue  # a shipped bundle given by its folder
        while name in regions and Path(regions[name]).resolve() != Path(bundle.path).resolve():
            name += "_local"
        regions[name] = Path(bundle.path).resolve()
        local.append(name)
    default = (
        args.region
        if args.region in regions
        else (Path(load_region(args.region).path).resolve().name if args.region else "china")
    )
    if default not in regions:
        raise InputError(
            Problem(
                "--region",
                f"no region '{default}'",
                f"give a shipped bundle's name ({', '.join(regions)}) or a bundle folder",
                value=args.region,
            )
        )
    return regions, default, frozenset(local)


def cmd_serve(args) -> int:
    import os
    import secrets
    import shutil
    import tempfile
    from pathlib import Path

    from ..apps.serve.settings import Settings, is_local
    from ..errors import InputError, Problem
    from ..limits import usable_cores

    token = args.token or os.environ.get("FORECAST_SERVE_TOKEN") or None
    if not is_local(args.host) and not token:
        raise InputError(
            Problem(
                "--host",
                f"listening on {args.host} opens the workbench to other machines: it then needs a token that every "
                "request carries",
                f"add --token {secrets.token_urlsafe(16)} (or set FORECAST_SERVE_TOKEN), or leave --host out to serve "
                "this machine only",
                value=args.host,
            )
        )
    regions, default, local = _regions(args)
    made = args.cache is None
    cache = Path(tempfile.mkdtemp(prefix="forecast-serve-")) if made else Path(args.cache)
    if not made:
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings = Settings(
        regions=regions,
        default_region=default,
        cache=cache,
        host=args.host,
        port=args.port,
        token=token,
        workers=args.workers or min(2, usable_cores()),
        local=local,
    )
    try:
        return _serve(settings)
    finally:
        if made:
            shutil.rmtree(cache, ignore_errors=True)  # the private folder this command made, and only it


def _serve(settings) -> int:
    import uvicorn

    from ..apps.serve import create_app
    from ..errors import InputError, Problem

    address = settings.address + (f"?token={settings.token}" if settings.token else "")
    print(
        f"forecast serve: open {address}  (Ctrl-C to stop)\n  regions: {', '.join(settings.regions)} (selected: "
        f"{settings.default_region}); {settings.workers} worker(s); cache: {settings.cache}",
        flush=True,
    )
    if settings.token:
        print(
            "  every request must carry the token (the address above sets it in the browser; the API: 'Authorization: "
            "Bearer TOKEN')",
            flush=True,
        )
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    try:
        server.run()
    except OSError as exc:
        raise InputError(
            Problem(
                "--port",
                f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}",
                "choose another --port (one no other program uses)",
                value=settings.port,
            )
        ) from None
    if not server.started:
        raise InputError(
            Problem(
                "--port",
                f"cannot listen on {settings.host}:{settings.port} (in use, or not an address of this machine)",
                "choose another --port, or check --host",
                value=settings.port,
            )
        )
    return 0
