"""The shipped CJK fonts: coverage of the project's text, real Bold faces, size, registration."""

from __future__ import annotations

from pathlib import Path

import pytest

from statlib import fonts

TTFont = pytest.importorskip("fontTools.ttLib").TTFont

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 5 * 2**20

# Wording from CONVENTIONS and published releases (periods, directions, units, symbols, masthead).
CONVENTIONS_SAMPLE = (
    "1—11月，全市规模以上工业增加值同比增长7.2%，增速比1—10月加快0.3个百分点，居全区第4位。"
    "社会消费品零售总额42505亿元，同比增长10.1%；第三产业增加值1529.2亿元，下降1.8%。"
    "货物进出口总额379587亿元，同比持平。利润总额增长2.7倍。CPI同比下降0.5%。"
    "一般公共预算收入70.11亿元，同口径下降19.4%。PPI同比下降2.5%，降幅比上月收窄0.5个百分点。"
    "由负转正、由正转负、由降转涨、由涨转降、由涨转平、涨幅扩大、涨幅回落。"
    "人均可支配收入14063元，比上年同期名义增长8.7%，扣除价格因素，实际增长6.6%。"
    "根据地区生产总值统一核算结果，按不变价格计算。比2019年1—11月份增长13.2%，两年平均增长6.4%。"
    "亿元 元 万人 % ‰ 个百分点 万吨 亿千瓦时 ℃ ㎡ 表2-8 10～20 … # * ① ⑳ | 〇"
    "部分数据因四舍五入的原因，存在总计与分项合计不等的情况。"
    '内部资料 注意保存 内部参阅 第X期 增刊 报：送：发： 新入库"四上"单位***家，较上年增长**.*%'
    "金融机构本外币存贷款余额 比年初增加 12月末 城镇化率 满意度 旗县区资料 盟市 自治区 苏木 嘎查"
    "前三季度 上半年 一季度 全年 11月份 数据来源：云川市统计局 “” 《》 【】 （） ——"
)


def _data_text() -> str:
    parts = []
    for pattern in ("**/*.csv", "**/*.md", "**/*.yaml"):
        for path in sorted((ROOT / "data").glob(pattern)):
            parts.append(path.read_text(encoding="utf-8-sig"))
    return "".join(parts)


def _printable(text: str) -> set[str]:
    return {c for c in text if c.isprintable() and c != " "} | {" "}


@pytest.fixture(scope="module")
def cmaps() -> dict[str, set[int]]:
    return {key: set(TTFont(path).getBestCmap()) for key, path in fonts.font_files().items()}


def test_font_files_keys_and_folder() -> None:
    files = fonts.font_files()
    assert sorted(files) == ["sans", "sans-bold", "serif", "serif-bold"]
    assert all(p.parent == fonts.font_dir() and p.suffix == ".otf" for p in files.values())
    assert (fonts.font_dir() / "OFL.txt").is_file()
    assert (fonts.font_dir() / "README.md").is_file()


@pytest.mark.parametrize("key", ["sans", "sans-bold", "serif", "serif-bold"])
def test_every_character_of_data_and_conventions_is_covered(
    key: str, cmaps: dict[str, set[int]]
) -> None:
    wanted = _printable(_data_text()) | _printable(CONVENTIONS_SAMPLE)
    missing = sorted(c for c in wanted if ord(c) not in cmaps[key])
    assert not missing, (
        f"{key} lacks {' '.join(f'{c}(U+{ord(c):04X})' for c in missing)}: "
        "run python tools/subset_fonts.py (see statlib/templates/fonts/README.md)"
    )


def _gb2312() -> list[str]:
    chars = []
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # unassigned code
    return chars


def test_gb2312_is_covered(cmaps: dict[str, set[int]]) -> None:
    chars = _gb2312()
    assert sum("\u4e00" <= c <= "\u9fff" for c in chars) == 6763
    for key, cmap in cmaps.items():
        missing = [c for c in chars if ord(c) not in cmap]
        assert not missing, f"{key} lacks GB2312 {''.join(missing)}"


@pytest.mark.parametrize(("regular", "bold"), [("sans", "sans-bold"), ("serif", "serif-bold")])
def test_bold_faces_are_real_bold(regular: str, bold: str) -> None:
    files = fonts.font_files()
    r, b = TTFont(files[regular]), TTFont(files[bold])
    assert r["OS/2"].usWeightClass == 400
    assert b["OS/2"].usWeightClass == 700
    assert b["OS/2"].fsSelection & 0x20 and b["head"].macStyle & 0x1  # bold bits
    assert r["name"].getDebugName(1) == b["name"].getDebugName(16)  # same typographic family


@pytest.mark.parametrize("key", ["sans", "sans-bold", "serif", "serif-bold"])
def test_font_size_and_fixed_timestamps(key: str) -> None:
    path = fonts.font_files()[key]
    assert path.stat().st_size < MAX_BYTES
    head = TTFont(path)["head"]
    assert head.created == head.modified  # fixed by tools/subset_fonts.py: reproducible bytes


def test_family_names() -> None:
    files = fonts.font_files()
    assert TTFont(files["sans"])["name"].getDebugName(1) == fonts.SANS
    assert TTFont(files["serif-bold"])["name"].getDebugName(16) == fonts.SERIF


def test_register_matplotlib_is_idempotent() -> None:
    import matplotlib as mpl
    from matplotlib import font_manager

    with mpl.rc_context():
        assert fonts.register_matplotlib() == fonts.SANS
        count = len(font_manager.fontManager.ttflist)
        fonts.register_matplotlib()
        assert len(font_manager.fontManager.ttflist) == count
        assert mpl.rcParams["font.sans-serif"][0] == fonts.SANS
        assert mpl.rcParams["axes.unicode_minus"] is False
        found = font_manager.findfont(font_manager.FontProperties(family=fonts.SANS))
        assert Path(found) == fonts.font_files()["sans"]
        bold = font_manager.findfont(font_manager.FontProperties(family=fonts.SANS, weight="bold"))
        assert Path(bold) == fonts.font_files()["sans-bold"]


def test_missing_folder_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from statlib.errors import ConfigError

    monkeypatch.setenv("STATLIB_FONT_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="STATLIB_FONT_DIR"):
        fonts.font_files()
