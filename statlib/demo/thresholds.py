"""Default "四上" thresholds (used only when data/demo/thresholds.yaml is missing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DEFAULT_YAML = """\
# "四上" unit thresholds of the FICTIONAL demo data (CONVENTIONS §6) — versioned configuration.
# The demo generator (python -m statlib.demo.generate) reads this file to set above_scale in
# enterprises.csv; edit it and regenerate to change who counts as a "四上" unit.
#
# One entry per rule:
#   category         industry | construction | wholesale | retail | accommodation | catering |
#                    real_estate | services
#   industries       optional list of GB/T 4754 divisions (2 digits) the rule is limited to;
#                    without it the rule covers every division of the category. A rule with
#                    industries wins over a general rule of the same category.
#   from_year        first reference year the rule applies to
#   to_year          last reference year (inclusive); null = still in force
#   min_revenue_wan  minimum annual main-business income / 营业收入 in 万元 (10,000 yuan);
#                    0 = every unit qualifies (有资质的建筑业 is defined by its qualification,
#                    房地产开发经营 covers all units).
- {category: industry, from_year: 2007, to_year: 2010, min_revenue_wan: 500}
- {category: industry, from_year: 2011, to_year: null, min_revenue_wan: 2000}
- {category: construction, from_year: 2007, to_year: null, min_revenue_wan: 0}
- {category: wholesale, from_year: 2011, to_year: null, min_revenue_wan: 2000}
- {category: retail, from_year: 2011, to_year: null, min_revenue_wan: 500}
- {category: accommodation, from_year: 2011, to_year: null, min_revenue_wan: 200}
- {category: catering, from_year: 2011, to_year: null, min_revenue_wan: 200}
- {category: real_estate, from_year: 2007, to_year: null, min_revenue_wan: 0}
# 规模以上服务业, by industry group:
# 交通运输、仓储和邮政业; 信息传输、软件和信息技术服务业; 水利、环境和公共设施管理业: 2000万元
- category: services
  industries: ["53", "54", "55", "56", "57", "58", "59", "60", "63", "64", "65", "76", "77", "78"]
  from_year: 2011
  to_year: null
  min_revenue_wan: 2000
# 房地产业(不含房地产开发经营: 物业管理等); 租赁和商务服务业; 科学研究和技术服务业; 教育: 1000万元
- category: services
  industries: ["70", "71", "72", "73", "74", "75", "83"]
  from_year: 2011
  to_year: null
  min_revenue_wan: 1000
# 居民服务、修理和其他服务业; 卫生和社会工作; 文化、体育和娱乐业: 500万元
- category: services
  industries: ["79", "80", "81", "84", "85", "86", "87", "88", "89", "90"]
  from_year: 2011
  to_year: null
  min_revenue_wan: 500
"""


def thresholds_text(out_dir: Path, repo_default: Path) -> str:
    """The thresholds YAML to use: out_dir's, else the committed one, else the built-in copy."""
    for path in (out_dir / "thresholds.yaml", repo_default):
        if path.exists():
            return path.read_text(encoding="utf-8")
    return DEFAULT_YAML


def parse(text: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load(text))
