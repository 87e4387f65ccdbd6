"""The fund stage: the reserve roll-forward (:mod:`.rollforward`), the year's indicators and the
verdict (:mod:`.verdict`), the 风险预警 warning levels (:mod:`.warning`)."""

from .rollforward import Deficits, account_roll_forward, interest_income, net_interest, roll_forward
from .verdict import CODES, VERDICTS, first_year, months_covered, verdict_codes, verdict_labels

__all__ = [
    "roll_forward",
    "account_roll_forward",
    "interest_income",
    "net_interest",
    "Deficits",
    "VERDICTS",
    "CODES",
    "months_covered",
    "verdict_codes",
    "verdict_labels",
    "first_year",
]
