"""``forecast serve``: a local web workbench for bureaus, and a JSON API, over the same model and
outputs as the command line.

- :mod:`.settings` — what the server was started with (regions offered, private cache folder,
  workers, token) and the limits of what a request may ask;
- :mod:`.catalog` — the regions, scenarios and the parameter form, by name only;
- :mod:`.reform` — a reform from a form or JSON: an overlay written by the YAML emitter into the
  private folder and validated by the CLI's loader (its messages, by field);
- :mod:`.runner` — the run cache and the queue: a bounded pool of worker processes, identical
  requests coalesced, results kept by their key;
- :mod:`.jobs` — what a worker does (run, compare, budget, execution, solve, report), through the
  CLI's own entry points (:mod:`forecast.apps.outputs`), writing with :mod:`forecast.results.writers`;
- :mod:`.payload` — a run as JSON with units and provenance;
- :mod:`.app`, :mod:`.api`, :mod:`.pages`, :mod:`.guard` — the ASGI application (FastAPI), its JSON
  API, its pages (Jinja2, plain forms, no script needed) and its safety (body limits, token, hosts,
  errors as messages).
"""

from __future__ import annotations

__all__ = ["create_app", "Settings"]


def __getattr__(name: str):
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(name)
