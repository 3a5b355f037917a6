"""Reading an uploaded workbook and writing its template, with problems named by row and column.

django-import-export's resources map one row to one model; a staff row holds a user, a unit, a
window and several roles, and a refusal must name the cell (``第3行 G列（角色）``) in Chinese.
So the sheets are read with openpyxl directly, and each import says what its columns mean.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.errors import InvalidInput
from core.spreadsheets import neutralise

MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    required: bool = False
    hint: str = ""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str  # the column's letter in the uploaded sheet ("" when the whole row is meant)
    title: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" + (f" {self.column}列（{self.title}）" if self.column else "")
        return f"{where}：{self.message}"


class SheetRefused(InvalidInput):
    """The whole sheet is refused; ``problems`` names every wrong cell."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"表格有 {len(problems)} 处错误，整个表格未导入",
                         details={f"第{p.row}行{p.column}列": [p.message] for p in problems})


@dataclass
class Row:
    number: int
    values: dict[str, str]
    letters: dict[str, str]  # column key → its letter in this sheet
    titles: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")

    def refuse(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.number, self.letters.get(key, ""), self.titles.get(key, ""), message))

    def refuse_validation(self, error: ValidationError, fields: dict[str, str] | None = None) -> None:
        """A model's validation error, each message at the column of its field (``fields`` maps a
        model field to a column key when the names differ)."""
        fields = fields or {}
        for name, messages in error.message_dict.items():
            key = fields.get(name, name)
            for message in messages:
                self.refuse(key if key in self.letters and name != NON_FIELD_ERRORS else "", message)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    return str(value).strip()


def read_sheet(content: bytes, columns: list[Column]) -> list[Row]:
    """The filled rows of the first worksheet, headers matched by title (any order)."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not xlsx
        raise InvalidInput("无法读取该文件，请上传 Excel 2007 及以上格式（.xlsx）的表格") from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    index = {title: i for i, title in enumerate(header) if title}
    missing = [c.title for c in columns if c.title not in index]
    if missing:
        raise SheetRefused([Problem(1, "", "", f"缺少列：{'、'.join(missing)}（请使用下载的模板）")])
    letters = {c.key: get_column_letter(index[c.title] + 1) for c in columns}
    titles = {c.key: c.title for c in columns}
    out = []
    for number, values in enumerate(rows, start=2):
        cells = {c.key: _text(values[index[c.title]]) if index[c.title] < len(values) else "" for c in columns}
        if not any(cells.values()):
            continue
        if len(out) >= MAX_ROWS:
            raise InvalidInput(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
        row = Row(number, cells, letters, titles)
        for c in columns:
            if c.required and not cells[c.key]:
                row.refuse(c.key, "必须填写")
        out.append(row)
    workbook.close()
    return out


def write_sheet(columns: list[Column], rows: list[list], *, title: str, notes: list[str] = ()) -> bytes:
    """A workbook with the columns' titles, ``rows`` and a second sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([c.title for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for i, c in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(12, len(c.title) * 2 + 4)
    help_sheet = workbook.create_sheet("填写说明")
    help_sheet.append(["列", "是否必填", "说明"])
    for c in columns:
        help_sheet.append([c.title, "必填" if c.required else "可不填", c.hint])
    for note in notes:
        help_sheet.append(["", "", note])
    help_sheet.column_dimensions["C"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class RowPlan:
    """What applying one row does: create, update (with each change in words) or nothing."""

    row: int
    key: str
    name: str
    action: str  # "create", "update" or "unchanged"
    changes: list[str] = field(default_factory=list)

    ACTION_TEXT = {"create": "新建", "update": "修改", "unchanged": "无变化"}

    @property
    def action_text(self) -> str:
        return self.ACTION_TEXT[self.action]


@dataclass
class ImportPlan:
    rows: list[RowPlan]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def changes_anything(self) -> bool:
        return any(r.action != "unchanged" for r in self.rows)


def refuse_if_wrong(rows: list[Row]) -> None:
    problems = [p for row in rows for p in row.problems]
    if problems:
        raise SheetRefused(problems)
