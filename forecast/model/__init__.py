"""The model's stages, each a module of pure functions over labelled arrays (no I/O, no printing).

population -> enrollment -> income -> expenditure (benefits per claim, claims per pool) ->
ltci, assistance -> fund (the reserve roll-forward: the only code that needs the previous year);
calibration fits the base year; fitting learns growth rates from the fund history.
"""
