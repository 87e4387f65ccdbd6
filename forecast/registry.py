"""The registry: every pool, fund item and claim type declared once, with its names.

Each entry says what the thing is called (中文 first, English beside it), where it belongs (its
pool, its line in the 财政 budget form, the claim types and age–sex curve of a benefit) and, for
an item with rules of its own, the scenario parameters it adds. Everything else reads it: the
closed lists of :mod:`forecast.vocabulary`, the scenario schema (an item's ``params``), the claim
model (a claim type's curve, service and item), the pools' ledger (the items' order), the result
Dataset's ``income_item``/``expenditure_item`` labels, the budget workbook's rows, the approved
budgets' line names, the report and the charts. Adding an item is one entry here plus its formula
in its pool's module (docs/architecture.md, "Adding a benefit").

>>> ITEMS["outpatient_special"].zh
'门诊慢特病待遇支出'
>>> [c.name for c in claim_types_of("inpatient")]
['tier3', 'tier2', 'tier1']
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Pool",
    "Item",
    "ClaimType",
    "POOL_ENTRIES",
    "ITEM_ENTRIES",
    "CLAIM_TYPE_ENTRIES",
    "PENDING",
    "ITEMS",
    "claim_types_of",
    "items_of",
    "form_label",
    "line_keys",
]


@dataclass(frozen=True)
class Pool:
    """A pool (the closed list of docs/glossary.md): its id, its names and the sheet its budget table is on."""

    name: str
    zh: str
    en: str
    #: the fund as a budget office names its table (基金收支预算表的基金名称)
    sheet: str
    #: the short name used in tables and charts
    short_zh: str


@dataclass(frozen=True)
class Item:
    """A line of a pool's accounts: an income or expenditure item.

    ``zh``/``en``: the item's name in reports; ``form``: its line in the 财政 fund budget form
    (收支预算表); ``group``: where the form puts it (``benefits``: under 待遇支出; ``transfers``;
    ``income``); ``pools``: the pools that may book it; ``aliases``: other names an approved budget
    may give the line; ``params``: scenario parameters the item adds, ``{path: spec}`` with ``path``
    relative to ``policy.<pool>.`` and ``spec`` the keyword arguments of a schema parameter
    (:func:`forecast.scenario.param.param`: unit, description, low, high, default, after, reference)."""

    name: str
    side: str
    zh: str
    en: str
    form: str
    group: str
    pools: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ClaimType:
    """A claim a benefit rule applies to (an admission at a hospital level, a special-disease
    patient's year, a member's year of general outpatient care): the expenditure item its
    payments are booked under, the age–sex curve that spreads it over the members, the
    utilisation-growth series that moves its frequency, and its level of care."""

    name: str
    item: str
    curve: str
    service: str
    level: str = ""


POOL_ENTRIES: tuple[Pool, ...] = (
    Pool("employee", "职工基本医疗保险", "Employee pooled fund", "职工医保统筹基金", "职工医保"),
    Pool("resident", "城乡居民基本医疗保险", "Resident fund", "城乡居民医保基金", "居民医保"),
    Pool("critical_illness", "大病保险", "Critical-illness insurance", "大病保险", "大病保险"),
    Pool("medical_assistance", "医疗救助", "Medical assistance", "医疗救助基金", "医疗救助"),
    Pool("ltci", "长期护理保险", "Long-term care insurance", "长期护理保险基金", "长护险"),
)

_BASIC = ("employee", "resident")
_ALL = tuple(p.name for p in POOL_ENTRIES)
#: the pools that hold a reserve (the others are financed as they pay)
_FUNDED = ("employee", "resident", "ltci")

#: the items in the order of the accounts (income first, interest last among income)
ITEM_ENTRIES: tuple[Item, ...] = (
    Item(
        "contributions",
        "income",
        "缴费收入",
        "contribution income",
        "保险费收入",
        "income",
        ("employee", "resident", "ltci"),
        ("缴费收入", "保险费收入"),
    ),
    Item(
        "fiscal_subsidy",
        "income",
        "财政补贴收入",
        "fiscal subsidy income",
        "财政补贴收入",
        "income",
        ("resident", "medical_assistance", "ltci"),
    ),
    Item("transfer_in", "income", "转移收入", "transfers in", "转移收入", "income", ("critical_illness", "ltci")),
    Item("interest", "income", "利息收入", "interest income", "利息收入", "income", _ALL),
    Item(
        "deficit_subsidy",
        "income",
        "财政兜底补助",
        "public budgets' top-up of a deficit",
        "财政兜底补助",
        "income",
        _FUNDED,
    ),
    Item(
        "inpatient",
        "expenditure",
        "住院待遇支出",
        "benefits: inpatient",
        "住院",
        "benefits",
        (*_BASIC, "critical_illness"),
    ),
    Item(
        "outpatient", "expenditure", "普通门诊待遇支出", "benefits: general outpatient", "普通门诊", "benefits", _BASIC
    ),
    Item(
        "outpatient_special",
        "expenditure",
        "门诊慢特病待遇支出",
        "benefits: outpatient special & chronic disease",
        "门诊慢特病",
        "benefits",
        _BASIC,
    ),
    Item(
        "maternity",
        "expenditure",
        "生育保险待遇支出",
        "benefits: maternity",
        "生育医疗费用及生育津贴",
        "benefits",
        ("employee",),
    ),
    Item("transfer_out", "expenditure", "转移支出", "transfers out", "转移支出", "transfers", _ALL),
    Item(
        "contribution_subsidy",
        "expenditure",
        "资助参保支出",
        "contribution subsidies",
        "资助参保",
        "benefits",
        ("medical_assistance",),
    ),
    Item(
        "direct_assistance",
        "expenditure",
        "直接救助支出",
        "medical assistance to patients",
        "直接救助",
        "benefits",
        ("medical_assistance",),
    ),
    Item("home_care", "expenditure", "居家护理待遇支出", "long-term care: home", "居家护理", "benefits", ("ltci",)),
    Item(
        "institutional_care",
        "expenditure",
        "机构护理待遇支出",
        "long-term care: institutions",
        "机构护理",
        "benefits",
        ("ltci",),
    ),
    Item(
        "debt_interest",
        "expenditure",
        "累计赤字利息支出",
        "interest on an accumulated deficit",
        "利息支出",
        "other",
        _FUNDED,
    ),
)

#: lines the budget form has and the model projects none of (shown as 0 with a note)
PENDING: tuple[Item, ...] = (
    Item("other_income", "income", "其他收入", "other income", "其他收入", "income", _ALL),
    Item("other_expenditure", "expenditure", "其他支出", "other expenditure", "其他支出", "transfers", _ALL),
)

CLAIM_TYPE_ENTRIES: tuple[ClaimType, ...] = (
    ClaimType("tier3", "inpatient", "inpatient", "inpatient", "tier3"),
    ClaimType("tier2", "inpatient", "inpatient", "inpatient", "tier2"),
    ClaimType("tier1", "inpatient", "inpatient", "inpatient", "tier1"),
    ClaimType("outpatient_special", "outpatient_special", "outpatient", "outpatient_special"),
    ClaimType("outpatient", "outpatient", "outpatient", "outpatient"),
)

#: item name -> its entry (income and expenditure items, and the form's lines the model leaves at 0)
ITEMS: dict[str, Item] = {item.name: item for item in (*ITEM_ENTRIES, *PENDING)}


def items_of(side: str, pool: str | None = None) -> tuple[Item, ...]:
    """The model's items of ``side`` (income, expenditure), of ``pool`` if given, in order."""
    return tuple(i for i in ITEM_ENTRIES if i.side == side and (pool is None or pool in i.pools))


def claim_types_of(item: str) -> tuple[ClaimType, ...]:
    """The claim types whose payments are booked under ``item``."""
    return tuple(c for c in CLAIM_TYPE_ENTRIES if c.item == item)


def form_label(name: str, pool: str) -> str:
    """The line of item ``name`` in ``pool``'s budget form (the employee fund's contributions are
    保险费收入, the others' 缴费收入)."""
    item = ITEMS[name]
    if name == "contributions":
        return "保险费收入" if pool == "employee" else "缴费收入"
    return item.form


def line_keys() -> dict[str, str]:
    """Every name a budget line is known by (form label, report name, aliases) -> its item."""
    out = {}
    for item in ITEMS.values():
        for label in (item.form, item.zh, *item.aliases):
            out.setdefault(label, item.name)
    return out
