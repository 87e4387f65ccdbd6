"""What a run hands on: the check that results are finite, writers (files written atomically),
the plain-text report and charts."""
