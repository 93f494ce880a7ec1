"""The A4 sheets, rendered without a database: printed, scanned and read back."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from service.domain.codes import new_code
from service.labels.sheet import (
    DEFAULT_SHEET,
    ELLIPSIS,
    Label,
    SheetSpec,
    fit,
    register_font,
    render_sheets,
    wrap,
)
from tests.labels.raster import crop, decode_qr, rasterise

OWNERS = ["甲燃气有限公司", "杭州市某某区天然气液化石油气供应有限责任公司", "Example Gas Co., Ltd."]


def make_labels(count: int, seed: int = 1) -> list[Label]:
    rng = random.Random(seed)
    codes = [new_code(rng.randrange) for _ in range(count)]
    return [
        Label(code, f"HTTPS://CYL.EXAMPLE.CN/C/{code}/2{code[:3]}", OWNERS[i % len(OWNERS)])
        for i, code in enumerate(codes)
    ]


def poppler(tool: str, pdf: bytes, workdir: Path, *after: str) -> str:
    """What ``tool`` (pdffonts, pdftotext) prints about ``pdf``."""
    path = shutil.which(tool)
    assert path, f"{tool} is missing: apt-get install poppler-utils"
    source = workdir / "labels.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(
        [path, str(source), *after], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def test_every_label_reads_back_in_its_own_cell(tmp_path: Path) -> None:
    labels = make_labels(30)
    pages = rasterise(render_sheets(labels), tmp_path)
    assert len(pages) == 2
    for index in range(2 * DEFAULT_SHEET.per_page):
        box = DEFAULT_SHEET.box(index)
        expected = [labels[index].payload] if index < len(labels) else []
        assert decode_qr(crop(pages[box.page], box)) == expected, index


def test_only_the_embedded_chinese_font_is_used(tmp_path: Path) -> None:
    """Every font the PDF names is embedded: no printer has to have a Chinese font."""
    report = poppler("pdffonts", render_sheets(make_labels(3)), tmp_path)
    fonts = [line.split() for line in report.splitlines()[2:] if line.strip()]
    assert len(fonts) == 1
    name, kind, _encoding, embedded, subset, *_ = fonts[0]
    assert name.endswith("+WenQuanYiMicroHei")
    assert (kind, embedded, subset) == ("TrueType", "yes", "yes")


def test_the_text_says_code_owner_and_prompt(tmp_path: Path) -> None:
    labels = make_labels(3)
    text = poppler("pdftotext", render_sheets(labels), tmp_path, "-")  # "-": to stdout
    for label in labels:
        for group in (label.code[:4], label.code[4:8], label.code[8:]):
            assert group in text
    assert "甲燃气有限公司" in text
    assert "扫码查询 / scan to check" in text


def test_a_full_page_holds_24_and_the_next_label_starts_a_page(tmp_path: Path) -> None:
    assert len(rasterise(render_sheets(make_labels(24)), tmp_path)) == 1
    assert len(rasterise(render_sheets(make_labels(25)), tmp_path)) == 2


def test_default_grid_is_centred_on_a4_within_printable_margins() -> None:
    first, last = DEFAULT_SHEET.box(0), DEFAULT_SHEET.box(23)
    assert (first.left, first.top) == (10, 8.5)
    assert (210 - last.left - last.width, 297 - last.top - last.height) == (10, 8.5)
    assert DEFAULT_SHEET.box(24).page == 1


@pytest.mark.parametrize(
    "spec",
    [
        {"columns": 4},  # 4 × 60 mm + gaps do not fit 210 mm
        {"label_height": 15},
        {"label_width": 45},  # no room for text beside the QR
        {"rows": 0},
    ],
)
def test_impossible_grids_are_refused(spec: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"."):
        SheetSpec(**spec)  # type: ignore[arg-type]


def test_a_smaller_grid_still_reads_back(tmp_path: Path) -> None:
    spec = SheetSpec(columns=4, rows=10, label_width=45, label_height=25, column_gap=2)
    labels = make_labels(40)
    pages = rasterise(render_sheets(labels, spec), tmp_path)
    assert [decode_qr(crop(pages[0], spec.box(i))) for i in range(40)] == [
        [label.payload] for label in labels
    ]


def test_long_text_wraps_between_chinese_characters_and_at_spaces() -> None:
    font = register_font()
    name = "杭州市某某区天然气液化石油气供应有限责任公司"
    lines = wrap(name, font, 9, 60)
    assert "".join(lines) == name
    assert len(lines) > 1
    assert all(pdfmetrics.stringWidth(line, font, 9) <= 60 for line in lines)
    assert wrap("Example Gas Co., Ltd.", font, 9, 60) == ["Example Gas", "Co., Ltd."]


def test_text_that_cannot_fit_is_cut_with_an_ellipsis() -> None:
    block = fit("很" * 200, register_font(), width=60, height=20, largest=9, smallest=6)
    assert block.size == 6
    assert len(block.lines) == 2
    assert block.lines[-1].endswith(ELLIPSIS)


def test_no_labels_is_an_error_not_an_empty_page() -> None:
    with pytest.raises(ValueError, match="no labels"):
        render_sheets([])
