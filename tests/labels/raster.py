"""Print and scan, as far as a test can: a PDF rasterised the way a printer would (300 dpi,
no anti-aliasing: every dot black or white), and the QR codes read back from the images with
the scanner's own decoder (``scanner.capture.decode.decode_frame``).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from scanner.capture.decode import decode_frame
from service.labels.sheet import Box

PRINTER_DPI = 300
MM_PER_INCH = 25.4
Gray = npt.NDArray[np.uint8]


def rasterise(pdf: bytes, workdir: Path, dpi: int = PRINTER_DPI) -> list[Gray]:
    """Every page of ``pdf`` as a greyscale image (poppler's ``pdftoppm``)."""
    tool = shutil.which("pdftoppm")
    assert tool, "pdftoppm is missing: apt-get install poppler-utils"
    workdir = Path(tempfile.mkdtemp(dir=workdir))
    source = workdir / "sheet.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            tool,
            "-r",
            str(dpi),
            "-gray",
            "-aa",
            "no",
            "-aaVector",
            "no",
            str(source),
            str(workdir / "page"),
        ],
        check=True,
        timeout=120,
    )
    pages = sorted(workdir.glob("page-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [np.asarray(Image.open(page)) for page in pages]


def decode_qr(image: Gray) -> list[str]:
    """The text of every QR code the scanner finds in ``image``, each once."""
    return decode_frame(np.ascontiguousarray(image))


def crop(page: Gray, box: Box, dpi: int = PRINTER_DPI) -> Gray:
    """The part of a page image where ``box`` (mm from the top-left corner) was printed."""
    scale = dpi / MM_PER_INCH
    top, left = round(box.top * scale), round(box.left * scale)
    bottom, right = round((box.top + box.height) * scale), round((box.left + box.width) * scale)
    return page[top:bottom, left:right]
