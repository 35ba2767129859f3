"""The file adapter that edits a workbook's package: only the parts a re-score owns are written,
every other part of the .xlsx/.xlsm is copied through as it was."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from ..ooxml import chart as charts
from ..ooxml.package import DOC_REL, Package
from ..ooxml.patch import patch_part
from ..ooxml.read import date_style_indexes, read_shared_strings, read_sheet
from ..ooxml.safety import DAMAGED, damaged
from ..ooxml.sheet import SheetModel, write_sheet_part
from ..ooxml.styles import Look, Styles
from ..ooxml.workbook_part import WorkbookPart
from ..problems import UnreadableWorkbook
from ..workbook.cells import Formula, Grid
from ..workbook.ops import (
    AutoFilter,
    Chart,
    ClearSheet,
    ColumnWidths,
    ConditionalFormat,
    DataValidationList,
    DefineName,
    EnsureSheet,
    FreezePanes,
    HideColumns,
    Operation,
    PageSetup,
    Plan,
    ProtectSheet,
    Style,
    WriteBlock,
)
from .atomic import atomic_replace, refuse_if_open

STYLES_REL = f"{DOC_REL}/styles"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CALC_CHAIN = "/calcChain"


def quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class PackageWorkbook:
    """A workbook file as a package: read the sheets a re-score needs, apply a plan, and `save()`
    replaces the file with one whose untouched parts are the original's."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.package = Package(self.path)
        with self._unreadable("xl/workbook.xml"):
            self.workbook = WorkbookPart(self.package)
        self._styles: Styles | None = None
        self._grids: dict[str, Grid] = {}
        self._shared: list[str] | None = None
        self._dates: frozenset[int] = frozenset()
        self.models: dict[str, SheetModel] = {}
        self.charts: dict[str, list[Chart]] = {}
        self.cleared: set[str] = set()

    # reading ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _unreadable(self, part: str) -> Iterator[None]:
        """A part that will not parse or inflate: one line naming this file."""
        try:
            yield
        except UnreadableWorkbook as error:
            error.source = str(self.path)
            raise
        except DAMAGED as error:
            raise damaged(part, error, source=self.path) from None

    def sheet_names(self) -> list[str]:
        return self.workbook.names()

    def defined_names(self) -> dict[str, str]:
        return self.workbook.defined_names()

    def _part_xml(self, suffix: str) -> bytes | None:
        part = self.workbook.related_part(suffix)
        return self.package.read(part) if part and part in self.package else None

    def read_grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            part = self.workbook.part_of(sheet)
            with self._unreadable(part or sheet):
                if self._shared is None:
                    shared = self._part_xml("/sharedStrings")
                    self._shared = read_shared_strings(shared) if shared else []
                    self._dates = date_style_indexes(self._part_xml("/styles"))
                if part is None or part not in self.package:
                    self._grids[sheet] = []
                else:
                    with self.package.open(part) as stream:
                        self._grids[sheet] = read_sheet(stream, self._shared, self._dates,
                                                        self.workbook.date1904, part)
        return self._grids[sheet]  # read once and shared: callers build new grids from it

    def read_values(self, sheet: str) -> Grid:
        return [[v.value if isinstance(v, Formula) else v for v in row]
                for row in self.read_grid(sheet)]

    # applying --------------------------------------------------------------------------------
    @property
    def styles(self) -> Styles:
        if self._styles is None:
            self._styles = Styles(self._part_xml("/styles"))
        return self._styles

    def model(self, sheet: str) -> SheetModel:
        if sheet not in self.models:
            self.models[sheet] = SheetModel(sheet, whole=False)
        return self.models[sheet]

    def apply(self, plan: Plan) -> None:
        for op in plan:
            self._apply(op)
        self.workbook.full_calc_on_load()

    def _apply(self, op: Operation) -> None:
        match op:
            case EnsureSheet():
                if op.sheet not in self.workbook.names():
                    self.workbook.add_sheet(op.sheet, op.after, op.hidden)
                    self.models[op.sheet] = SheetModel(op.sheet, whole=True)
                elif op.hidden:
                    self.workbook.hide(op.sheet)
            case ClearSheet():
                if op.sheet not in self.workbook.added:
                    self.cleared.add(op.sheet)
                self.models[op.sheet] = SheetModel(op.sheet, whole=True)
                self.charts.pop(op.sheet, None)
            case WriteBlock():
                self.model(op.sheet).write(op.row, op.col, op.values)
            case Style():
                look = Look(op.number_format, op.bold, op.italic, op.fill, op.font_color, op.wrap)
                self.model(op.sheet).looks.append((op.area, look))
            case ColumnWidths():
                self.model(op.sheet).widths.update(dict(op.widths))
            case HideColumns():
                self.model(op.sheet).hidden_columns.update(op.columns)
            case DefineName():
                self.workbook.define_name(op.name, op.refers_to, op.hidden)
            case Chart():
                mine = [c for c in self.charts.get(op.sheet, []) if c.name != op.name]
                self.charts[op.sheet] = [*mine, op]
            case ProtectSheet():
                self.model(op.sheet).protect = op
            case FreezePanes():
                self.model(op.sheet).freeze = (op.row, op.col)
            case PageSetup():
                self.model(op.sheet).page = op
                if op.repeat_rows:
                    self.workbook.define_name("_xlnm.Print_Titles",
                                              f"{quoted(op.sheet)}!$1:${op.repeat_rows}",
                                              local_sheet=op.sheet)
            case AutoFilter():
                self.model(op.sheet).autofilter = op.area
            case DataValidationList():
                self.model(op.sheet).validations.append(op)
            case ConditionalFormat():
                dxf = self.styles.dxf(op.fill, op.font_color, op.bold)
                self.model(op.sheet).conditional.append((op, dxf))
            case _:
                raise TypeError(f"unknown operation {op!r}")

    # writing parts ---------------------------------------------------------------------------
    def _drop_related(self, part: str) -> None:
        """A cleared sheet's drawings, charts, comments and the like: its old related parts go
        (each only when nothing else refers to it)."""
        rels = self.package.rels(part)
        for rel in list(rels.items):
            if rel.external:
                continue
            target = rels.resolve(rel)
            rels.remove(rel.id)
            if target in self.package and not self.package.referrers(target):
                self.package.remove_tree(target)
        rels.items = []
        rels.changed = True

    def _add_charts(self, sheet: str, part: str, model: SheetModel) -> None:
        ops = self.charts.get(sheet)
        if not ops:
            return
        package = self.package

        def value(row: int, col: int) -> object:
            v = model.value(row, col)
            return v.value if isinstance(v, Formula) else v

        drawing = package.unique_name("xl/drawings/drawing{}.xml")
        package.add_override(drawing, charts.DRAWING_TYPE)
        drawing_rels = package.rels(drawing)
        placed = []
        for op in ops:
            chart_part = package.unique_name("xl/charts/chart{}.xml")
            package.write(chart_part, charts.chart_xml(op, value))
            package.add_override(chart_part, charts.CHART_TYPE)
            placed.append((op, drawing_rels.add(charts.CHART_REL, chart_part)))
        package.write(drawing, charts.drawing_xml(placed))
        model.drawing_rid = package.rels(part).add(charts.DRAWING_REL, drawing)

    def _write_sheets(self) -> bool:
        """Every sheet the plan touched; True when a formula cell lost its formula."""
        dropped = False
        date1904 = self.workbook.date1904
        for name, model in self.models.items():
            entry = self.workbook.entry(name)
            part = entry.part
            if part is None or not entry.worksheet:
                raise ValueError(f"sheet '{name}' is not a worksheet")
            if model.whole:
                if name in self.cleared:
                    self._drop_related(part)
                self._add_charts(name, part, model)
                selected = self.workbook.active_index() == self.workbook.index(name)
                self.package.write(part, write_sheet_part(model, self.styles, date1904, selected))
                model.blocks.clear()  # written (and held deflated): the values can go
            elif model.edited or name in self.charts:
                if name in self.charts:
                    raise NotImplementedError(f"charts on sheet '{name}', which the tool does "
                                              "not own")
                patched, lost_formula = patch_part(self.package.read(part), model, self.styles,
                                                   date1904)
                self.package.write(part, patched)
                model.blocks.clear()
                dropped = dropped or lost_formula
        return dropped

    def _write_workbook(self) -> None:
        package, workbook = self.package, self.workbook
        if self._styles is not None and self._styles.changed:
            part = workbook.related_part("/styles")
            if part is None or self._styles.created:
                part = part or ("xl/styles.xml" if "xl/styles.xml" not in package
                                else package.unique_name("xl/styles{}.xml"))
                workbook.rels.add(STYLES_REL, part)
                package.add_override(part, STYLES_TYPE)
            package.write(part, self._styles.xml())
        package.write(workbook.part, workbook.xml())
        app = "docProps/app.xml"
        if workbook.added and app in package:
            updated = workbook.update_app_titles(package.read(app))
            if updated is not None:
                package.write(app, updated)

    def _drop_calc_chain(self) -> None:
        """Excel rebuilds the calculation chain; one listing a cell that lost its formula makes
        it repair the file."""
        rels = self.workbook.rels
        for rel in rels.of_type(CALC_CHAIN):
            target = rels.resolve(rel)
            rels.remove(rel.id)
            if target in self.package:
                self.package.remove(target)

    def save(self) -> None:
        """Write beside the file, then replace it: the file is whole before or after, never half."""
        refuse_if_open(self.path)
        if self._write_sheets():
            self._drop_calc_chain()
        self._write_workbook()
        with atomic_replace(self.path) as temp:
            self.package.save(temp)

    def close(self) -> None:
        self.package.close()
