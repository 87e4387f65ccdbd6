"""The pages' words, Chinese first and English beside (``?lang=en`` switches to English only).
Names of pools, verdicts, warning grades and budget lines come from the registry and the model
(:mod:`forecast.vocabulary`, :data:`forecast.model.fund.VERDICTS`), never restated here."""

from __future__ import annotations

__all__ = ["WORDS", "translator", "LANGS"]

LANGS = ("zh", "en")

WORDS = {
    "app": ("医保基金收支预测工作台", "Medical-insurance fund workbench"),
    "regions": ("地区", "Region"),
    "scenarios": ("情景", "Scenario"),
    "results": ("结果", "Results"),
    "budget": ("预算", "Budget"),
    "solve": ("求解", "Solve"),
    "report": ("报告", "Report"),
    "choose_region": ("选择地区数据包", "Choose a region bundle"),
    "shipped": ("随包提供", "shipped"),
    "local": ("本地", "local"),
    "illustration": ("示例", "illustration"),
    "level": ("层级", "level"),
    "base_year": ("基金基准年", "fund base year"),
    "population": ("常住人口", "population"),
    "share65": ("65岁及以上占比", "share aged 65+"),
    "insured": ("参保人数", "insured persons"),
    "accounts": ("基金收支", "fund accounts"),
    "income": ("收入", "income"),
    "expenditure": ("支出", "expenditure"),
    "reserve": ("累计结余", "reserve"),
    "balance": ("当期结余", "balance"),
    "sources": ("来源", "sources"),
    "next_scenario": ("下一步：选择情景 →", "Next: choose a scenario →"),
    "wan_persons": ("万人", "10,000 persons"),
    "yi": ("亿元", "100 million yuan"),
    "pool": ("险种", "pool"),
    "shipped_scenarios": ("随包情景", "Shipped scenarios"),
    "reform": ("在所选情景上设定改革", "A reform on top of the chosen scenario"),
    "reform_help": (
        "留空即不变。一个值自下一年（基准年后第一年）起生效；也可写年份与值，如 2025: 40万, 2027: 45万。金额可写 "
        "400000、40万；比例写 0.65 或 65%。",
        "Leave empty to keep. One value takes effect in the first projected year; or give years and values, e.g. 2025: "
        "40万, 2027: 45万. Money as 400000 or 40万; ratios as 0.65 or 65%.",
    ),
    "title": ("改革名称", "reform title"),
    "draws": ("随机抽样次数", "draws"),
    "seed": ("随机种子", "seed"),
    "draws_help": (
        "留空为确定性测算；填写则给出区间（扇形图）",
        "empty: the central projection; a number: bands over draws (fans)",
    ),
    "run": ("运行测算", "Run"),
    "export": ("导出情景 YAML", "Export scenario YAML"),
    "import": ("导入情景 YAML", "Import scenario YAML"),
    "current": ("当前值", "current"),
    "range": ("取值范围", "range"),
    "unit": ("单位", "unit"),
    "working": ("正在计算…", "Working…"),
    "queued": ("排队等待…", "Queued…"),
    "failed": ("未能完成", "Could not finish"),
    "verdicts": ("收支平衡判断", "Verdict per pool"),
    "first_deficit": ("首次当期赤字", "first deficit"),
    "exhausted": ("累计结余耗尽", "exhausted"),
    "months": ("可支付月数", "months covered"),
    "verdict": ("判断", "verdict"),
    "warnings": ("风险预警", "Warning grades"),
    "first_orange": ("首次橙色", "first orange"),
    "first_red": ("首次红色", "first red"),
    "none": ("无", "none"),
    "impact": ("与对照情景比较", "Impact against the reference"),
    "reference": ("对照", "reference"),
    "year": ("年份", "year"),
    "d_income": ("收入变化", "Δ income"),
    "d_expenditure": ("支出变化", "Δ expenditure"),
    "d_balance": ("结余变化", "Δ balance"),
    "reserve_base": ("结余（对照）", "reserve (reference)"),
    "reserve_alt": ("结余（本情景）", "reserve (this run)"),
    "d_months": ("月数变化", "Δ months"),
    "no_change": ("无变化", "no change"),
    "charts": ("图表", "Charts"),
    "permalink": (
        "永久链接（可复现：地区、情景与改革、抽样、种子、版本）",
        "Permalink (reproducible: region, scenario and reform, draws, seed, version)",
    ),
    "downloads": ("下载", "Downloads"),
    "all_files": ("全部结果文件（CSV、NetCDF、图表）", "all result files (CSV, NetCDF, charts)"),
    "provenance": ("来源与版本", "Provenance"),
    "budget_year": ("预算年度", "budget year"),
    "interval": ("预测区间", "prediction interval"),
    "make_budget": ("编制收支预算表", "Make the budget"),
    "execution": ("本年预算执行（上传年初至今实际数）", "This year's execution (upload year-to-date actuals)"),
    "actuals": ("实际数 CSV", "actuals CSV"),
    "approved": ("批复预算（可选，xlsx 或 CSV）", "approved budget (optional, xlsx or CSV)"),
    "estimate": ("全年预计", "full-year estimate"),
    "solve_for": ("求解使基金保持在目标区间的筹资或待遇", "Solve the financing or benefit that keeps a pool on target"),
    "lever": ("调节工具", "lever"),
    "benefit_lever": ("或调节待遇参数（险种与参数路径）", "or a benefit parameter (pool and path)"),
    "target": ("目标", "target"),
    "one_level": ("自起始年起取单一水平（否则逐年路径）", "one level from the first year (else a path year by year)"),
    "make_report": ("生成精算评估报告", "Make the valuation report"),
    "open_report": ("在浏览器中打开报告", "Open the report in the browser"),
    "download": ("下载", "download"),
    "missed": ("未达目标年份", "years missing the target"),
    "holds": ("每年均达到目标", "the target holds in every year"),
    "version_note": (
        "此链接由另一版本生成；结果按本服务器的版本计算",
        "this link was made with another version; the results are this server's",
    ),
    "errors": ("请修改下列问题", "Please fix"),
    "lang_switch": ("English", "中文"),
}


def translator(lang: str):
    """``t(key)``: the word in ``lang`` (Chinese with the English beside it in small print: ``t.both``)."""
    index = 1 if lang == "en" else 0

    def t(key: str) -> str:
        return WORDS[key][index]

    return t
