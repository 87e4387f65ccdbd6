"""Today's fund engine, frozen: the slow, obviously-correct reference for the vectorised engine.

These modules are the fund stages as they stood before the engine was rebuilt (issue 11):
``projection.py`` books each pool year by year with scalar arithmetic, once per draw. They are
kept unchanged (only their imports of the package's input side point at ``forecast``) and run by
tests/test_golden.py: the package's engine must equal this reference to 1e-9 relative, and the
reference must reproduce the golden files in tests/golden/. A deliberate change to the model (a
fix from another issue) replaces a golden file, says why in tests/golden/README.md, and retires
the reference comparison for what it changed.
"""
