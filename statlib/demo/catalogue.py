"""The indicator catalogue (indicators.csv) of the demo."""

from __future__ import annotations

from statlib.store.schema import INDICATOR_COLUMNS

COLUMNS = list(INDICATOR_COLUMNS)

_SRC_ACC = "塞北自治区统计局地区生产总值统一核算（虚构）"
_SRC_BUR = "云川市统计局（虚构）"
_SRC_SVY = "国家统计局云川调查队（虚构）"
_SRC_FIN = "云川市财政局（虚构）"
_SRC_BANK = "中国人民银行云川市分行（虚构）"

_GROWTH_REAL = "增长速度是报告期与上年同期相比的变动幅度，按可比价格计算，扣除了价格变动因素。"
_GROWTH_NOM = "增长速度是报告期与上年同期相比的变动幅度，按现价（名义）计算，未扣除价格变动因素。"
_GROWTH_STOCK = "同比增长是报告期末余额与上年同月末余额相比的变动幅度。"

_DEF = {
    "gdp": "地区生产总值是指本地区所有常住单位在一定时期内生产活动的最终成果。地区生产总值有三种"
    "表现形态，即价值形态、收入形态和产品形态。",
    "va_primary": "第一产业是指农、林、牧、渔业（不含农、林、牧、渔专业及辅助性活动）。增加值是指"
    "常住单位生产过程创造的新增价值和固定资产的转移价值。",
    "va_secondary": "第二产业是指采矿业（不含开采专业及辅助性活动），制造业（不含金属制品、机械和"
    "设备修理业），电力、热力、燃气及水生产和供应业，建筑业。",
    "va_tertiary": "第三产业即服务业，是指除第一产业、第二产业以外的其他行业。",
    "ind_va": "工业增加值是指工业企业在报告期内以货币形式表现的工业生产活动的最终成果，是工业企业"
    "全部生产活动的总成果扣除了在生产过程中消耗或转移的物质产品和劳务价值后的余额。",
    "fai": "固定资产投资是以货币形式表现的在一定时期内建造和购置固定资产的工作量以及与此有关的"
    "费用的总称。",
    "retail": "社会消费品零售总额是指企业（单位、个体户）通过交易售给个人、社会集团非生产、非经营用"
    "的实物商品金额，以及提供餐饮服务所取得的收入金额。",
    "retail_urban": "城镇消费品零售额是指城镇地域范围内的社会消费品零售额。",
    "retail_rural": "乡村消费品零售额是指乡村地域范围内的社会消费品零售额。",
    "service_rev": "营业收入是指企业经营主要业务和其他业务所确认的收入总额，是规模以上服务业企业"
    "经营规模的主要指标。",
    "fiscal_rev": "一般公共预算收入是指政府凭借国家政治权力，以社会公共管理者身份筹集的以税收为主体"
    "的财政收入，包括税收收入和非税收入。",
    "tax_rev": "税收收入是指国家按照法律规定的标准，强制地、无偿地取得的财政收入，是一般公共预算"
    "收入的主体。",
    "income": "居民人均可支配收入是指居民可用于最终消费支出和储蓄的总和，即居民可用于自由支配的"
    "收入，既包括现金，也包括实物收入。",
    "cpi": "居民消费价格指数是反映一定时期内城乡居民所购买的生活消费品和服务项目价格变动趋势和"
    "程度的相对数，本表为上年同月=100。",
    "deposits": "存款余额是指某一时点金融机构存款金额，包括单位存款、个人存款、非银行金融机构存款、"
    "财政性存款等。",
    "loans": "贷款余额是指某一时点金融机构借款人借用的资金总额，包括住户贷款、企（事）业单位贷款、"
    "非银行业金融机构贷款等。",
    "population": "常住人口是指实际经常居住在某地区一定时间（半年以上）的人口，年末常住人口为当年"
    "12月31日24时的常住人口数。",
}

_SCOPE = {
    "gdp": "本地区全部常住单位",
    "ind_va": "年主营业务收入2000万元及以上的工业法人单位",
    "fai": "计划总投资500万元及以上的固定资产投资项目和房地产开发投资，不含农户投资",
    "retail": "全社会（限额以上和限额以下法人单位、产业活动单位及个体户）",
    "service_rev": "规模以上服务业法人单位（交通运输、仓储和邮政业，信息传输、软件和信息技术服务"
    "业，水利、环境和公共设施管理业年营业收入2000万元及以上；租赁和商务服务业，科学研究和技术服务业，"
    "教育，物业管理年营业收入1000万元及以上；居民服务、修理和其他服务业，卫生和社会工作，文化、"
    "体育和娱乐业年营业收入500万元及以上）",
    "fiscal_rev": "本级及以下地方一般公共预算收入，按同口径计算增长",
    "income": "城乡一体化住户收支与生活状况调查样本住户",
    "cpi": "城乡居民消费价格调查，八大类商品和服务项目",
    "deposits": "辖区内银行业金融机构（含外资银行），本外币合计",
    "population": "辖区内常住人口",
}


def _row(
    code: str,
    name: str,
    en: str,
    unit: str,
    freq: str,
    kind: str,
    basis: str,
    dec: int,
    base: str,
    source: str,
    topic: str,
    aliases: str = "",
    growth_of: str = "",
) -> list[str]:
    definition = _DEF.get(base, "")
    if growth_of:
        if basis == "comparable":
            definition = _GROWTH_REAL
        elif kind == "growth" and base in ("deposits", "loans"):
            definition = _GROWTH_STOCK
        else:
            definition = _GROWTH_NOM
    scope = _SCOPE.get(base, _SCOPE.get(base.split("_")[0], ""))
    if base.startswith("va_"):
        scope = _SCOPE["gdp"]
    if base in ("tax_rev",):
        scope = _SCOPE["fiscal_rev"]
    if base in ("loans",):
        scope = _SCOPE["deposits"]
    return [
        code,
        name,
        en,
        unit,
        freq,
        kind,
        basis,
        str(dec),
        definition,
        source,
        scope,
        topic,
        aliases,
        growth_of,
    ]


def _level_and_growths(
    code: str,
    name: str,
    en: str,
    unit: str,
    freq: str,
    kind: str,
    dec: int,
    source: str,
    topic: str,
    aliases: str = "",
    real: bool = False,
    base: str | None = None,
) -> list[list[str]]:
    """A level indicator followed by its growth partner (comparable or nominal)."""
    base = base or code
    gkind = "cumulative_growth" if kind == "cumulative_level" else "growth"
    basis = "comparable" if real else "current"
    gname = f"{name}增长"
    if kind in ("stock", "balance"):
        gname = f"{name}同比增长"
    rows = [
        _row(code, name, en, unit, freq, kind, "current", dec, base, source, topic, aliases),
        _row(
            f"{code}_growth",
            gname,
            f"{en}, growth",
            "%",
            freq,
            gkind,
            basis,
            1,
            base,
            source,
            topic,
            "",
            code,
        ),
    ]
    return rows


def indicators() -> list[list[str]]:
    """Catalogue rows in publication order."""
    q, m, a = "Q", "M", "A"
    rows: list[list[str]] = []
    rows += _level_and_growths(
        "gdp",
        "地区生产总值",
        "Gross regional product",
        "亿元",
        q,
        "cumulative_level",
        2,
        _SRC_ACC,
        "国民经济核算",
        "GDP|生产总值|地区GDP|国内生产总值",
        real=True,
    )
    for code, name, en in [
        ("va_primary", "第一产业增加值", "Value added of the primary industry"),
        ("va_secondary", "第二产业增加值", "Value added of the secondary industry"),
        ("va_tertiary", "第三产业增加值", "Value added of the tertiary industry"),
    ]:
        rows += _level_and_growths(
            code, name, en, "亿元", q, "cumulative_level", 2, _SRC_ACC, "国民经济核算", real=True
        )
    rows.append(
        _row(
            "ind_va",
            "规模以上工业增加值",
            "Value added of industry above designated size",
            "亿元",
            m,
            "cumulative_level",
            "current",
            2,
            "ind_va",
            _SRC_BUR,
            "工业",
            "规上工业增加值|工业增加值",
        )
    )
    rows.append(
        _row(
            "ind_va_growth",
            "规模以上工业增加值增长（当月）",
            "Value added of industry above designated size, growth (month)",
            "%",
            m,
            "growth",
            "comparable",
            1,
            "ind_va",
            _SRC_BUR,
            "工业",
            "industry_va",
            "ind_va",
        )
    )
    rows.append(
        _row(
            "ind_va_cum_growth",
            "规模以上工业增加值增长（累计）",
            "Value added of industry above designated size, growth (year to date)",
            "%",
            m,
            "cumulative_growth",
            "comparable",
            1,
            "ind_va",
            _SRC_BUR,
            "工业",
            "规上工业增加值增速",
            "ind_va",
        )
    )
    rows += _level_and_growths(
        "fai",
        "固定资产投资（不含农户）",
        "Fixed asset investment (excl. rural households)",
        "亿元",
        m,
        "cumulative_level",
        2,
        _SRC_BUR,
        "固定资产投资",
        "固定资产投资|固定资产投资(不含农户)|固投",
    )
    rows += _level_and_growths(
        "retail",
        "社会消费品零售总额（当月）",
        "Total retail sales of consumer goods (month)",
        "亿元",
        m,
        "level",
        2,
        _SRC_BUR,
        "国内贸易",
        "社零额（当月）",
    )
    rows += _level_and_growths(
        "retail_cum",
        "社会消费品零售总额",
        "Total retail sales of consumer goods (year to date)",
        "亿元",
        m,
        "cumulative_level",
        2,
        _SRC_BUR,
        "国内贸易",
        "社零|社零额|社会消费品零售额",
        base="retail",
    )
    rows += _level_and_growths(
        "retail_urban_cum",
        "城镇消费品零售额",
        "Retail sales, urban (year to date)",
        "亿元",
        m,
        "cumulative_level",
        2,
        _SRC_BUR,
        "国内贸易",
        "城镇零售额",
        base="retail_urban",
    )
    rows += _level_and_growths(
        "retail_rural_cum",
        "乡村消费品零售额",
        "Retail sales, rural (year to date)",
        "亿元",
        m,
        "cumulative_level",
        2,
        _SRC_BUR,
        "国内贸易",
        "乡村零售额",
        base="retail_rural",
    )
    rows += _level_and_growths(
        "service_rev",
        "规模以上服务业营业收入",
        "Operating revenue of services above designated size",
        "亿元",
        m,
        "cumulative_level",
        2,
        _SRC_BUR,
        "国内贸易",
        "规上服务业营业收入",
    )
    rows += _level_and_growths(
        "fiscal_rev",
        "一般公共预算收入",
        "General public budget revenue",
        "亿元",
        m,
        "cumulative_level",
        2,
        _SRC_FIN,
        "财政",
        "地方一般公共预算收入|财政收入",
    )
    rows += _level_and_growths(
        "tax_rev",
        "税收收入",
        "Tax revenue",
        "亿元",
        m,
        "cumulative_level",
        2,
        _SRC_FIN,
        "财政",
        "税收",
    )
    rows.append(
        _row(
            "income",
            "城乡居民人均可支配收入",
            "Per capita disposable income",
            "元",
            q,
            "cumulative_level",
            "current",
            0,
            "income",
            _SRC_SVY,
            "人民生活",
            "人均可支配收入|居民人均可支配收入",
        )
    )
    for code, name, growth, basis in [
        ("income_growth", "城乡居民人均可支配收入名义增长", "nominal growth", "current"),
        ("income_real_growth", "城乡居民人均可支配收入实际增长", "real growth", "comparable"),
    ]:
        rows.append(
            _row(
                code,
                name,
                f"Per capita disposable income, {growth}",
                "%",
                q,
                "cumulative_growth",
                basis,
                1,
                "income",
                _SRC_SVY,
                "人民生活",
                "",
                "income",
            )
        )
    rows.append(
        _row(
            "cpi",
            "居民消费价格指数",
            "Consumer price index (same month of previous year = 100)",
            "上年同月=100",
            m,
            "index",
            "",
            1,
            "cpi",
            _SRC_SVY,
            "价格",
            "CPI",
        )
    )
    rows += _level_and_growths(
        "deposits",
        "金融机构本外币各项存款余额",
        "Deposits of financial institutions (end of month)",
        "亿元",
        m,
        "balance",
        2,
        _SRC_BANK,
        "金融",
        "存款余额",
    )
    rows += _level_and_growths(
        "loans",
        "金融机构本外币各项贷款余额",
        "Loans of financial institutions (end of month)",
        "亿元",
        m,
        "balance",
        2,
        _SRC_BANK,
        "金融",
        "贷款余额",
    )
    rows.append(
        _row(
            "population",
            "年末常住人口",
            "Resident population at year end",
            "万人",
            a,
            "stock",
            "",
            2,
            "population",
            _SRC_BUR,
            "综合",
            "常住人口",
        )
    )
    return rows
