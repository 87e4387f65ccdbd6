"""What a run hands on: the result Dataset and its ``ds.fund`` accessor, the check that results
are finite, writers (files written atomically), the plain-text report and charts."""

from . import accessor  # noqa: F401  (registers ds.fund)
