"""Build ``statlib/templates/docx/reference.docx``: pandoc's default reference document restyled.

    python tools/make_reference_docx.py            # writes statlib/templates/docx/reference.docx

Deterministic: the same pandoc gives the same bytes (fixed zip timestamps, sorted entries).
Changes to pandoc's default (``pandoc -o x.docx --print-default-data-file reference.docx``):
body in the Serif face and headings in the Sans face Bold (CJK names in ``w:eastAsia``), Title
red, large and centred (the series title of the masthead), the masthead's own paragraph styles,
tables with ruled cells, A4 with GB/T 9704-style margins, and ``— 1 —`` page numbers.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statlib.fonts import SANS, SERIF  # noqa: E402

OUT = ROOT / "statlib" / "templates" / "docx" / "reference.docx"
RED = "C00000"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def fonts(face: str) -> str:
    return f'<w:rFonts w:ascii="{face}" w:hAnsi="{face}" w:eastAsia="{face}" w:cs="{face}"/>'


def size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def para_style(
    style_id: str,
    name: str,
    ppr: str,
    rpr: str,
    *,
    based_on: str = "Normal",
    custom: bool = False,
    nxt: str = "BodyText",
    extra: str = "",
) -> str:
    cust = ' w:customStyle="1"' if custom else ""
    return (
        f'<w:style w:type="paragraph"{cust} w:styleId="{style_id}"><w:name w:val="{name}"/>'
        f'<w:basedOn w:val="{based_on}"/><w:next w:val="{nxt}"/>{extra}<w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


CENTER = '<w:jc w:val="center"/>'
HEADINGS = {1: 32, 2: 28, 3: 24, 4: 24}

STYLES = {
    "Normal": (
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        f'<w:qFormat/><w:pPr><w:spacing w:after="0" w:line="360" w:lineRule="auto"/></w:pPr>'
        f"<w:rPr>{fonts(SERIF)}{size(24)}</w:rPr></w:style>"
    ),
    "BodyText": para_style(
        "BodyText",
        "Body Text",
        '<w:spacing w:before="0" w:after="0"/><w:ind w:firstLineChars="200" w:firstLine="480"/>'
        '<w:jc w:val="both"/>',
        "",
        extra='<w:link w:val="BodyTextChar"/>',
    ),
    "Compact": para_style(
        "Compact",
        "Compact",
        '<w:spacing w:before="0" w:after="0" w:line="280" w:lineRule="auto"/>',
        size(19),
        based_on="Normal",
        custom=True,
    ),
    "Title": para_style(
        "Title",
        "Title",
        f'<w:spacing w:before="0" w:after="120"/>{CENTER}',
        f'{fonts(SANS)}<w:b/><w:bCs/><w:color w:val="{RED}"/><w:spacing w:val="40"/>{size(84)}',
        nxt="MastheadIssue",
    ),
    "Subtitle": para_style(
        "Subtitle",
        "Subtitle",
        f'<w:spacing w:before="0" w:after="240"/>{CENTER}',
        f"{fonts(SANS)}{size(28)}",
    ),
    "Caption": para_style(
        "Caption",
        "Caption",
        f'<w:spacing w:before="120" w:after="120"/>{CENTER}',
        f"{fonts(SANS)}<w:b/><w:bCs/>{size(21)}",
    ),
    "TableCaption": para_style(
        "TableCaption",
        "Table Caption",
        "<w:keepNext/>",
        "",
        based_on="Caption",
        custom=True,
    ),
    "ImageCaption": para_style(
        "ImageCaption",
        "Image Caption",
        "",
        "",
        based_on="Caption",
        custom=True,
    ),
    "Table": (
        '<w:style w:type="table" w:default="1" w:styleId="Table"><w:name w:val="Table"/>'
        '<w:basedOn w:val="TableNormal"/><w:qFormat/><w:pPr><w:jc w:val="center"/></w:pPr>'
        f'<w:rPr>{size(19)}</w:rPr><w:tblPr><w:jc w:val="center"/>'
        '<w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
        '<w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
        '<w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        '<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        '<w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders>'
        '<w:tblCellMar><w:top w:w="20" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
        '<w:bottom w:w="20" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr>"
        f'<w:tblStylePr w:type="firstRow"><w:rPr>{fonts(SANS)}<w:b/><w:bCs/></w:rPr>'
        '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/><w:vAlign w:val="center"/>'
        "</w:tcPr></w:tblStylePr></w:style>"
    ),
}
for level, sz in HEADINGS.items():
    STYLES[f"Heading{level}"] = para_style(
        f"Heading{level}",
        f"heading {level}",
        f'<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="120"/>'
        f'<w:outlineLvl w:val="{level - 1}"/>',
        f'{fonts(SANS)}<w:b/><w:bCs/><w:color w:val="000000"/>{size(sz)}',
        extra=f'<w:link w:val="Heading{level}Char"/>',
    )

# Masthead parts that pandoc does not make; statlib.render.docx writes paragraphs in them.
CUSTOM = [
    para_style(
        "MastheadMarks",
        "Masthead Marks",
        '<w:tabs><w:tab w:val="right" w:pos="8844"/></w:tabs>',
        f"{fonts(SANS)}<w:b/><w:bCs/>{size(21)}",
        custom=True,
    ),
    para_style(
        "MastheadIssue",
        "Masthead Issue",
        f'<w:spacing w:after="240"/>{CENTER}',
        size(28),
        custom=True,
    ),
    para_style(
        "MastheadLine",
        "Masthead Line",
        '<w:pBdr><w:bottom w:val="single" w:sz="18" w:space="4" w:color="C00000"/></w:pBdr>'
        '<w:tabs><w:tab w:val="right" w:pos="8844"/></w:tabs><w:spacing w:after="360"/>',
        size(24),
        custom=True,
    ),
    para_style(
        "DocumentTitle",
        "Document Title",
        f'<w:spacing w:before="120" w:after="120"/>{CENTER}',
        f"{fonts(SANS)}<w:b/><w:bCs/>{size(36)}",
        custom=True,
    ),
    para_style(
        "Distribution",
        "Distribution",
        '<w:tabs><w:tab w:val="right" w:pos="8844"/></w:tabs><w:spacing w:after="0"/>',
        size(21),
        custom=True,
    ),
    para_style(
        "DistributionFirst",
        "Distribution First",
        '<w:pBdr><w:top w:val="single" w:sz="6" w:space="4" w:color="000000"/></w:pBdr>'
        '<w:spacing w:before="600"/>',
        "",
        based_on="Distribution",
        custom=True,
    ),
    para_style(
        "DistributionLast",
        "Distribution Last",
        '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="4" w:color="000000"/></w:pBdr>',
        "",
        based_on="Distribution",
        custom=True,
    ),
    para_style(
        "DistributionOnly",
        "Distribution Only",
        '<w:pBdr><w:top w:val="single" w:sz="6" w:space="4" w:color="000000"/>'
        '<w:bottom w:val="single" w:sz="6" w:space="4" w:color="000000"/></w:pBdr>'
        '<w:spacing w:before="600"/>',
        "",
        based_on="Distribution",
        custom=True,
    ),
]

# A4 (twips), margins 37/28/26/35 mm; the footer holds the page number — 1 —.
SECT = (
    '<w:sectPr><w:footerReference w:type="default" r:id="rIdStatlibFooter"/>'
    '<w:footnotePr><w:numRestart w:val="eachSect"/></w:footnotePr>'
    '<w:pgSz w:w="11906" w:h="16838"/>'
    '<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" '
    'w:footer="992" w:gutter="0"/></w:sectPr>'
)
FOOTER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:ftr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
    f'<w:r><w:rPr>{fonts(SERIF)}{size(28)}</w:rPr><w:t xml:space="preserve">— </w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    f"<w:r><w:rPr>{fonts(SERIF)}{size(28)}</w:rPr><w:t>1</w:t></w:r>"
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    f'<w:r><w:rPr>{fonts(SERIF)}{size(28)}</w:rPr><w:t xml:space="preserve"> —</w:t></w:r>'
    "</w:p></w:ftr>"
)


def restyle(styles: str) -> str:
    for style_id, xml in STYLES.items():
        pattern = re.compile(rf'<w:style [^>]*w:styleId="{style_id}"[^>]*>.*?</w:style>', re.DOTALL)
        styles, n = pattern.subn(lambda _m, xml=xml: xml, styles, count=1)
        if n == 0:
            styles = styles.replace("</w:styles>", xml + "</w:styles>")
    styles = re.sub(
        r"<w:rPrDefault>.*?</w:rPrDefault>",
        f"<w:rPrDefault><w:rPr>{fonts(SERIF)}{size(24)}"
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>',
        styles,
        count=1,
        flags=re.DOTALL,
    )
    return styles.replace("</w:styles>", "".join(CUSTOM) + "</w:styles>")


def build(default: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(default))
    parts = {name: src.read(name) for name in src.namelist()}
    parts["word/styles.xml"] = restyle(parts["word/styles.xml"].decode("utf-8")).encode("utf-8")
    doc = parts["word/document.xml"].decode("utf-8")
    doc = re.sub(r"<w:sectPr>.*?</w:sectPr>", SECT, doc, flags=re.DOTALL)
    parts["word/document.xml"] = doc.encode("utf-8")
    parts["word/footer1.xml"] = FOOTER.encode("utf-8")
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'footer" Id="rIdStatlibFooter" Target="footer1.xml" /></Relationships>',
    )
    parts["word/_rels/document.xml.rels"] = rels.encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    types = types.replace(
        "</Types>",
        '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.footer+xml" /></Types>',
    )
    parts["[Content_Types].xml"] = types.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(parts, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, parts[name])
    return out.getvalue()


def default_reference() -> bytes:
    import pypandoc

    return subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(build(default_reference()))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
