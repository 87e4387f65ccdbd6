"""Applications built on runs: compare two scenarios, back-test, compile a budget, track its execution."""
