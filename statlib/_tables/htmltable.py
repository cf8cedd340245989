"""HTML rendering: an escaped ``<table>`` whose cells carry class names, never inline script."""

from __future__ import annotations

from html import escape

from statlib._tables.layout import layout
from statlib._tables.spec import Table

# Styles for notebooks (_repr_html_): alignment and indentation come from class names.
STYLE = (
    "<style>"
    ".statlib-table{border-collapse:collapse;font-variant-numeric:tabular-nums}"
    ".statlib-table caption{font-weight:bold;padding:.3em}"
    ".statlib-table th,.statlib-table td{border:1px solid #999;padding:.2em .5em}"
    ".statlib-table thead th{text-align:center}"
    ".statlib-table th.stub{text-align:left;font-weight:normal;white-space:pre}"
    ".statlib-table td.num,.statlib-table td.symbol{text-align:right}"
    ".statlib-table td.unit{text-align:center}"
    ".statlib-table tr.break td,.statlib-table tr.break th{border-top:2px solid #333}"
    ".statlib-table tfoot td{border:none;text-align:left;font-size:.9em}"
    "</style>"
)


def _e(text: str) -> str:
    return escape(text, quote=True)


def to_html(table: Table) -> str:
    lay = layout(table)
    out = ['<table class="statlib-table">']
    caption = "<br>".join(
        f'<span class="{"title" if i == 0 else "title-en"}">{_e(line)}</span>'
        for i, line in enumerate(lay.caption)
    )
    out.append(f"<caption>{caption}</caption>")
    out.append("<thead>")
    for header_row in lay.header:
        cells = []
        for h in header_row:
            attrs = ""
            if h.colspan > 1:
                attrs += f' colspan="{h.colspan}"'
            if h.rowspan > 1:
                attrs += f' rowspan="{h.rowspan}"'
            cls = "stub" if h.col < lay.stub_columns else "col"
            cells.append(f'<th class="{cls}" scope="col"{attrs}>{_e(h.text)}</th>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</thead>")
    out.append("<tbody>")
    for row in lay.rows:
        classes = [f"level-{row.level}"]
        if row.sub_item:
            classes.append("sub-item")
        if row.break_:
            classes.append("break")
        cells = []
        for cell in row.cells:
            if cell.kind == "stub":
                cells.append(f'<th class="stub" scope="row">{_e(cell.text)}</th>')
            else:
                cells.append(f'<td class="{cell.kind}">{_e(cell.text)}</td>')
        out.append(f'<tr class="{" ".join(classes)}">' + "".join(cells) + "</tr>")
    out.append("</tbody>")
    if lay.notes:
        out.append("<tfoot>")
        for line in lay.notes:
            out.append(f'<tr><td class="note" colspan="{lay.ncols}">{_e(line)}</td></tr>')
        out.append("</tfoot>")
    out.append("</table>")
    return "\n".join(out) + "\n"
