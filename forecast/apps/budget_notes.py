"""The budget workbook's 假设 (assumptions) and 说明 (notes) sheets.

:func:`assumption_rows` lists each driver of the budget year: its value in that year, its unit,
how the scenario writes it and where that comes from (the scenario file and line; for a value
the scenario calls ``fitted``, the bulletins' years it was fitted to), then the base-year
calibration factors. :func:`note_rows` states the scope, the method, how each column is made
and what the figures leave out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..model.fund import VERDICTS
from ..scenario.dated import DatedValue
from ..scenario.parameters import iter_params
from .budget_layout import SHEET_NAMES

__all__ = ["assumption_rows", "note_rows"]

#: (category, scenario path, 中文, the fitted_growth["values"] key a ``fitted`` value stands for)
DRIVERS = (
    ("经济", "assumptions.economy.wage_growth", "工资（缴费基数）增长率", "employee_income_per_in_service"),
    ("经济", "assumptions.economy.price_inflation", "价格上涨率", None),
    ("经济", "assumptions.economy.disposable_income_growth", "居民人均可支配收入增长率", None),
    ("经济", "assumptions.economy.interest_rate", "基金利率", None),
    ("医疗费用", "assumptions.medical_costs.cost_trend.employee", "职工医保实际费用增长率", "employee_cost_trend"),
    ("医疗费用", "assumptions.medical_costs.cost_trend.resident", "居民医保实际费用增长率", "resident_cost_trend"),
    ("医疗费用", "assumptions.medical_costs.assistance_trend", "医疗救助相对居民医保的增长率", "assistance_trend"),
    ("医疗费用", "assumptions.medical_costs.payment_reform_effect", "支付方式改革效应", None),
    ("参保", "assumptions.enrollment.in_service_coverage", "在职职工参保率变化", "in_service_coverage"),
    ("参保", "assumptions.enrollment.resident_coverage", "居民参保率变化", "resident_coverage"),
    ("参保", "assumptions.enrollment.compliance_rate", "征缴率", None),
    ("筹资政策", "policy.employee.employer_rate", "职工医保单位缴费率", None),
    ("筹资政策", "policy.employee.employee_rate", "职工医保个人缴费率", None),
    ("筹资政策", "policy.employee.maternity_rate", "生育保险缴费率", None),
    ("筹资政策", "policy.employee.individual_account.in_service_rate", "在职职工个人账户划入比例", None),
    ("筹资政策", "policy.resident.individual_contribution", "居民医保个人缴费标准", None),
    ("筹资政策", "policy.resident.fiscal_subsidy", "居民医保人均财政补助标准", None),
    ("筹资政策", "policy.ltci.financing_per_capita", "长期护理保险人均筹资标准", None),
    ("筹资政策", "policy.ltci.coverage.employee", "长期护理保险覆盖职工参保人比例", None),
    ("待遇政策", "policy.critical_illness.threshold_income_share", "大病保险起付线（占上年人均可支配收入）", None),
    ("待遇政策", "policy.medical_assistance.annual_limit", "医疗救助年度限额", None),
    ("结论标准", "verdict.low_months", "可支付月数合理区间下限", None),
    ("结论标准", "verdict.high_months", "可支付月数合理区间上限", None),
    ("结论标准", "verdict.excess_months", "结余过多界限", None),
)

#: the fitted_growth entry (form, years) behind each fitted value
FIT_SERIES = {
    "employee_income_per_in_service": "employee_income_per_in_service",
    "employee_cost_trend": "employee_expenditure_per_insured",
    "resident_cost_trend": "resident_expenditure_per_insured",
    "assistance_trend": "assistance_to_resident_expenditure",
    "in_service_coverage": "in_service_coverage",
    "resident_coverage": "resident_coverage",
}

#: (calibration key, 中文, unit): the base-year factors that make the model reproduce the bulletin
CALIBRATION = (
    ("contribution_base", "在职职工人均缴费基数（实收）", "yuan/person/year"),
    ("retiree_credit", "退休人员个人账户年划入额", "yuan/person/year"),
    ("resident_realisation", "居民医保筹资到位率（实收÷国家标准）", "ratio"),
    ("outpatient_factor.employee", "职工医保普通门诊校准系数", "ratio"),
    ("outpatient_factor.resident", "居民医保普通门诊校准系数", "ratio"),
    ("assistance_factor", "医疗救助校准系数", "ratio"),
    ("maternity_per_birth", "每例生育待遇支出", "yuan"),
    ("ltci_take_up", "长期护理保险待遇享受率", "ratio"),
    ("ltci_cost_factor", "长期护理保险费用校准系数", "ratio"),
)


def _value_in(value, year: int, fitted: float | None):
    """The parameter's value in ``year`` (a number), or None when it cannot be resolved here (a
    dated value continued with another series' growth beyond its last given year)."""
    if not isinstance(value, DatedValue):
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if value.needs_fit:
        if fitted is None:
            return None
        value = value.fill(fitted)
    try:
        return float(value.path([year])[0][0])
    except ValueError:
        return None


#: how a dated value continues after its last given year, in words
AFTER_ZH = {
    "hold": "此后保持不变",
    "mean_increment": "此后按最近三次调整的平均增量逐年增加",
    "wage_growth": "此后随工资增长",
    "price_inflation": "此后随物价上涨",
    "disposable_income_growth": "此后随居民人均可支配收入增长",
}


def _number_zh(value, unit: str) -> str:
    if value == "fitted":
        return "按历年公报拟合"
    if unit == "ratio":
        return f"{float(value):.2%}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".") + ("元" if unit.startswith("yuan") else "")


def _written(value, unit: str = "") -> str:
    """How the scenario sets the value, in plain Chinese (no scenario syntax)."""
    if not isinstance(value, DatedValue):
        return "固定值" if isinstance(value, (int, float)) else str(value)
    if value.is_constant:
        return ("按历年公报拟合的增长率" if value.needs_fit else "固定值") + (
            "" if value.after == "hold" else f"，{AFTER_ZH.get(value.after, value.after)}"
        )
    points = "，".join(f"{year}年{_number_zh(v, unit)}" for year, v in value.points)
    between = "之间线性过渡" if value.between == "linear" else "每个值保持到下一个给定年份"
    return f"{points}；{between}；{AFTER_ZH.get(value.after, value.after)}"


def _origin(scenario, path: str) -> str:
    origin = scenario.origins.get(path)
    if origin is None:
        return "软件默认值（情景文件未设定）"
    file, line = origin
    return f"情景文件“{Path(file).name}”第{line}行" if line else f"情景文件“{Path(file).name}”"


def assumption_rows(ds, scenario, year: int) -> list[dict]:
    """Rows of the 假设 sheet: category, name, path, value (in ``year``; None when not resolvable
    here), unit, written (the scenario's expression), source."""
    units = dict((path, param.unit) for path, param in iter_params())
    fitted = ds.attrs.get("fitted_growth", {}) or {}
    fit_values = fitted.get("values", {})
    rows = []
    for category, path, name, fit_key in DRIVERS:
        if path not in scenario.params:
            continue
        value = scenario.params[path]
        number = _value_in(value, year, fit_values.get(fit_key))
        source = _origin(scenario, path)
        if isinstance(value, DatedValue) and value.needs_fit:
            fit = fitted.get(FIT_SERIES.get(fit_key, ""), {})
            years = (
                f"{fit['years'][0]}–{fit['years'][1]}年"
                if isinstance(fit, dict) and "years" in fit
                else f"{ds.attrs['base_year']}年及以前"
            )
            source += (
                f"；按{years}基金统计公报拟合，"
                f"{int(ds.attrs['base_year']) + 1}年为{fit_values.get(fit_key, float('nan')):.2%}"
            )
        rows.append(
            {
                "category": category,
                "name": name,
                "value": number,
                "unit": units.get(path, ""),
                "written": _written(value, units.get(path, "")),
                "source": source,
                "missing": "随其他序列变化",
            }
        )
    calibration = ds.attrs.get("calibration", {}) or {}
    for key, name, unit in CALIBRATION:
        value = calibration
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, (int, float)) and np.isfinite(value):
            rows.append(
                {
                    "category": "基年校准",
                    "name": name,
                    "value": float(value),
                    "unit": unit,
                    "written": "使模型基年收支复现数据包的基年数",
                    "source": f"{ds.attrs['base_year']}年基金收支数据（{_provenance_note(ds)}）",
                }
            )
    for document in ds.attrs.get("scenario_sources", []) or []:
        rows.append(
            {
                "category": "政策依据",
                "name": str(document),
                "value": None,
                "unit": "",
                "written": "情景依据的政策文件",
                "source": "情景文件所列依据",
                "missing": "—",
            }
        )
    return rows


def _provenance_note(ds) -> str:
    """The labels of the base-year figures the calibration reproduces, in words."""
    from ..results.provenance import PROVENANCE_ZH

    labels = sorted({PROVENANCE_ZH[v] for v in (ds.attrs.get("base_year_provenance") or {}).values()})
    return "、".join(labels) + "数" if labels else "数据包"


def _previous_note(ds, sheets: dict, year: int, label: str, executed) -> str:
    """How the 上年执行数 column was made, pool by pool."""
    from .budget_layout import sheet_name

    if year - 1 <= int(ds.attrs["base_year"]):
        return (
            f"{label}：{year - 1}年为基年，取模型复现的基金统计公报数：收入、支出误差不超过0.01%，"
            "年末滚存结余由上年结余滚存、误差不超过0.03%。"
        )
    text = f"{label}：{year - 1}年尚未决算。"
    estimated = [p for p in sheets if executed is not None and p in executed.index]
    if estimated:
        months = "、".join(f"{sheet_name(ds, p)}1–{int(executed.loc[p, 'month'])}月" for p in estimated)
        text += (
            f"按当年执行数（{months}，{executed.attrs.get('source', '')}）以季节分布推算全年收入、支出（forecast "
            "execution），分项按模型结构分摊，年末滚存结余由模型的前年年末数滚存；本年预算数的年末滚存结余由此滚存。"
        )
    rest = [sheet_name(ds, p) for p in sheets if p not in estimated]
    if rest:
        text += f"{'、'.join(rest)}为模型预计数。"
    return text


def _scope_note(ds, year: int, account: dict | None) -> str:
    """The employee table's scope: the pooled fund with the accounts apart, or the total."""
    from ..results.provenance import pool_scope

    if pool_scope(ds, "employee") == "total":
        return (
            "数据包未分列职工医保统筹基金和个人账户：职工医保表为统筹基金与个人账户合计（含生育保险）。"
            "批复预算或执行数为统筹基金口径时，请先补齐数据包的个人账户数。"
        )
    text = "职工医保表为统筹基金（含生育保险）；个人账户单列于表下，并列出统筹基金与个人账户的合计。"
    return text + (
        f"个人账户{year}年：收入{account['income']:,.2f}万元，支出{account['expenditure']:,.2f}万元，"
        f"年末结余{account['reserve']:,.2f}万元。"
        if account
        else ""
    )


def note_rows(
    ds, sheets: dict, year: int, level: float, previous_label: str, approved_source: str | None, executed=None
) -> list[tuple[str, str]]:
    """Rows of the 说明 sheet: (heading, text)."""
    from ..results.provenance import place
    from ..results.review import hint_lines, run_hints
    from .budget_layout import sheet_name

    base = int(ds.attrs["base_year"])
    hints = hint_lines(run_hints(ds))
    left_out = [SHEET_NAMES.get(str(p), str(p)) for p in ds["pool"].values if str(p) not in sheets]
    verdicts = "；".join(
        f"{sheet_name(ds, p)}：{VERDICTS.get(f.attrs['verdict'], f.attrs['verdict'])}" for p, f in sheets.items()
    )
    account = (
        {
            name: float(ds[f"individual_account_{name}"].sel(year=year)) / 1e4
            for name in ("income", "expenditure", "reserve")
        }
        if "individual_account_income" in ds
        else None
    )
    rows = [
        (
            "编制范围",
            f"{place(ds)}{year}年医疗保障基金收支预算测算，按险种分表：{'、'.join(sheet_name(ds, p) for p in sheets)}。"
            + (f"未测算（缺少基年数据）：{'、'.join(left_out)}。" if left_out else ""),
        ),
        ("职工医保口径", _scope_note(ds, year, account)),
        (
            "数据性质",
            "表头第二行标明各列数据的性质：公布（统计公报或本地公布数）、推算（按注明的方法推算，含模型测算）、"
            "假设（情景设定或模型不测算、列为0的项目）、示例（示例数据包中借用全国数据的数，仅供演示）。",
        ),
        ("情景", f"{ds.attrs.get('scenario_title', '')}；基年{base}年。各项假设的取值与来源见“假设”表。"),
        (
            "测算方法",
            "人口（分年龄性别队列要素法）→ 参保人数 → 筹资收入（缴费基数、费率、筹资标准）→ 分层待遇支出（住院、门诊、"
            "门诊慢特病按起付线、支付比例、封顶线逐项计算）→ 基金结余滚存；基年参数按基金统计公报校准，"
            "近期增长率按历年公报拟合。大病保险资金由居民医保基金划转（居民医保表的转移支出），"
            "长期护理保险单位缴费部分由职工医保统筹基金划转。",
        ),
        (
            "金额单位",
            "万元，四舍五入到0.01万元；各合计数为所列分项之和，年末滚存结余 = 上年年末滚存结余 + 本年收支结余。",
        ),
        (
            "可支付月数",
            "年末滚存结余 ÷（本年支出合计 ÷ 12），按表中数计算，单位为月；大病保险、医疗救助为现收现付，不计。",
        ),
        (
            "上年决算数",
            f"{year - 2}年决算：在模型测算期内为模型数，基年以前为数据包公布的收支合计和结余（分项未公布，留空）。",
        ),
        (
            "本年预算数",
            f"取自批复的{year - 1}年预算（{Path(approved_source).name}）。"
            if approved_source
            else f"未提供批复的{year - 1}年预算，本列留空（forecast budget --previous-budget 文件 可填入）。",
        ),
        ("本年预计执行数", _previous_note(ds, sheets, year, previous_label, executed)),
        ("下年预算数", f"{year}年预算：按情景测算。"),
        (
            "增减额、增减%",
            "增减额 = 下年预算数 − 本年预计执行数；增减% = 增减额 ÷ 本年预计执行数的绝对值（为0时不计）。",
        ),
        (
            "预测区间",
            f"收入合计、支出合计的{level:.0%}预测区间，由历年公报的回测预测误差和拟合参数的不确定性得出；"
            "长期护理保险无历史记录，不给区间。",
        ),
        (
            "本年结论",
            verdicts + "。标准：可支付月数6–9个月为收支平衡、略有结余，超过15个月为结余过多（人社部发〔2009〕67号）。",
        ),
        (
            "不含项目",
            "模型不测算其他收入、其他支出、委托投资收益、上级补助收入和上解支出，这些行列为0；编制时请按本地情况补列。",
        ),
        (
            "版本",
            f"forecast {ds.attrs.get('forecast_version', '')}；情景哈希 {str(ds.attrs.get('scenario_hash', ''))[:12]}；"
            f"数据包哈希 {str(ds.attrs.get('region_hash', ''))[:12]}。",
        ),
        *((("提示", "\n".join(hints)),) if hints else ()),
    ]
    return rows
