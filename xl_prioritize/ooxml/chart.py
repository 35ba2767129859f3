"""The drawing and chart parts of the charts a re-score draws on a sheet it owns."""

from __future__ import annotations

from collections.abc import Callable

from ..workbook.ops import Area, Chart
from .cellxml import escape_attr, escape_text, number, ref

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
DRAWING_REL = f"{R_NS}/drawing"
CHART_REL = f"{R_NS}/chart"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CellValue = Callable[[int, int], object]
"""The value the sheet holds at (row, column), for the chart's caches."""


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _absolute(area: Area) -> str:
    first = f"${ref(area.row, area.col).rstrip('0123456789')}${area.row}"
    last = f"${ref(area.last_row, area.last_col).rstrip('0123456789')}${area.last_row}"
    return first if first == last else f"{first}:{last}"


def _text(text: str) -> str:
    return (f'<tx><rich><a:bodyPr/><a:p><a:r><a:t>{escape_text(text)}</a:t></a:r></a:p>'
            "</rich></tx>")


def _title(text: str) -> str:
    return f'<title>{_text(text)}<overlay val="0"/></title>'


def _cells(area: Area, value: CellValue) -> list[object]:
    return [value(r, c) for r in range(area.row, area.last_row + 1)
            for c in range(area.col, area.last_col + 1)]


def _str_cache(values: list[object]) -> str:
    points = "".join(f'<pt idx="{i}"><v>{escape_text(_label(v))}</v></pt>'
                     for i, v in enumerate(values) if v is not None)
    return f'<strCache><ptCount val="{len(values)}"/>{points}</strCache>'


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _num_cache(values: list[object], code: str) -> str:
    points = []
    for i, v in enumerate(values):
        if isinstance(v, int | float) and not isinstance(v, bool):
            text = number(v)
            if text is not None:
                points.append(f'<pt idx="{i}"><v>{text}</v></pt>')
    return (f'<numCache><formatCode>{escape_text(code)}</formatCode>'
            f'<ptCount val="{len(values)}"/>{"".join(points)}</numCache>')


def chart_xml(op: Chart, value: CellValue) -> bytes:
    sheet = _quoted(op.sheet)
    series = []
    categories = _cells(op.categories, value)
    for i, area in enumerate(op.series):
        title = Area(area.row, area.col)
        data = Area(area.row + 1, area.col, max(area.rows - 1, 1), area.cols)
        series.append(
            f'<ser><idx val="{i}"/><order val="{i}"/>'
            f'<tx><strRef><f>{sheet}!{ref(title.row, title.col)}</f>'
            f"{_str_cache([value(title.row, title.col)])}</strRef></tx>"
            + ('<marker><symbol val="none"/></marker>' if op.kind == "line" else
               '<invertIfNegative val="0"/>')
            + f"<cat><strRef><f>{sheet}!{_absolute(op.categories)}</f>"
            f"{_str_cache(categories)}</strRef></cat>"
            f"<val><numRef><f>{sheet}!{_absolute(data)}</f>"
            f'{_num_cache(_cells(data, value), "0%" if op.percent_axis else "General")}'
            "</numRef></val></ser>")
    axes = '<axId val="500000001"/><axId val="500000002"/>'
    if op.kind == "line":
        plot = f'<lineChart><grouping val="standard"/><varyColors val="0"/>' \
               f'{"".join(series)}<marker val="1"/>{axes}</lineChart>'
    else:
        direction = "bar" if op.kind == "bar" else "col"
        plot = (f'<barChart><barDir val="{direction}"/><grouping val="clustered"/>'
                f'<varyColors val="0"/>{"".join(series)}<gapWidth val="150"/>{axes}'
                "</barChart>")
    category_position, value_position = ("l", "b") if op.kind == "bar" else ("b", "l")
    value_format = '<numFmt formatCode="0%" sourceLinked="0"/>' if op.percent_axis else \
        '<numFmt formatCode="General" sourceLinked="1"/>'
    y_title = _title(op.y_title) if op.y_title else ""
    xml = (
        f'{_DECLARATION}<chartSpace xmlns="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
        '<roundedCorners val="0"/>'
        f'<chart>{_title(op.title)}<autoTitleDeleted val="0"/><plotArea><layout/>{plot}'
        f'<catAx><axId val="500000001"/><scaling><orientation val="minMax"/></scaling>'
        f'<delete val="0"/><axPos val="{category_position}"/><numFmt formatCode="General"'
        ' sourceLinked="1"/><majorTickMark val="out"/><minorTickMark val="none"/>'
        '<tickLblPos val="nextTo"/><crossAx val="500000002"/><crosses val="autoZero"/>'
        '<auto val="1"/><lblAlgn val="ctr"/><lblOffset val="100"/><noMultiLvlLbl val="0"/>'
        '</catAx>'
        '<valAx><axId val="500000002"/><scaling><orientation val="minMax"/></scaling>'
        f'<delete val="0"/><axPos val="{value_position}"/><majorGridlines/>{y_title}'
        f"{value_format}"
        '<majorTickMark val="out"/><minorTickMark val="none"/><tickLblPos val="nextTo"/>'
        '<crossAx val="500000001"/><crosses val="autoZero"/><crossBetween val="between"/>'
        '</valAx></plotArea><legend><legendPos val="r"/><overlay val="0"/></legend>'
        '<plotVisOnly val="1"/><dispBlanksAs val="gap"/></chart></chartSpace>'
    )
    return xml.encode("utf-8")


def drawing_xml(charts: list[tuple[Chart, str]]) -> bytes:
    """A drawing holding each chart (with its relationship Id), anchored on its cells."""
    anchors = []
    for n, (op, rid) in enumerate(charts, start=1):
        a = op.anchor
        anchors.append(
            "<xdr:twoCellAnchor>"
            f"<xdr:from><xdr:col>{a.col - 1}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{a.row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{a.last_col}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{a.last_row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
            f'<xdr:cNvPr id="{n + 1}" name="{escape_attr(op.name)}"/><xdr:cNvGraphicFramePr/>'
            "</xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{C_NS}">'
            f'<c:chart xmlns:c="{C_NS}" r:id="{rid}"/></a:graphicData></a:graphic>'
            "</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>")
    return (f'{_DECLARATION}<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
            + "".join(anchors) + "</xdr:wsDr>").encode("utf-8")
