"""One label's QR symbol: its error-correction level, its quiet zone, and SVG and PNG files.

Error correction: level Q. The payload (``Context.qr_payload``) is an upper-case URL of about
40 characters, ``HTTPS://HOST/C/<11-character code>/<4-character tag>``, so it is encoded in
alphanumeric mode. Version 3 (29 × 29 modules) holds 61 such characters at level M and 47 at
Q; level H holds only 35 there and would need version 4 (33 × 33). So Q costs nothing over M:
the symbol, and so its modules, stay the same size, and about 25 % of the codewords may be
lost instead of 15 %: oil, scratches, a torn corner. H would restore 30 %, but only with four
more modules across the same label, that is modules 12 % smaller; on a curved cylinder the
module size in the camera image is what decides first whether a code reads (the decode rate
falls with pixels per module and with the arc of the label: shared/reference/qr-decoders.md
§3.2-3.3). segno's ``boost_error`` stays on: a short public URL that fits version 3 at H gets H.

Quiet zone: the standard's full 4 modules, printed white as part of the label, never the 2
that many generators use to save room. A label sits on painted steel, often dark, and a
finder pattern that touches dark paint is the first thing a decoder loses. The sheet adds its
own padding outside the quiet zone, so a printer that shifts the sheet by a millimetre still
leaves 4 white modules on the label.

The symbol itself is exactly ``segno.make(payload, error="q", micro=False)``; only the mask is
chosen faster (``service/labels/mask.py``). A plain QR, never a Micro QR: many phone readers
do not know Micro QR.
"""

from __future__ import annotations

import io

import segno

from service.labels import mask

ERROR_LEVEL = "q"
QUIET_ZONE = 4  # modules
# What the default sheet prints (service/labels/sheet.py): 32 mm for 29 + 2 × 4 modules.
MODULE_MM = 0.85
PNG_SCALE = 10  # pixels per module
MM_PER_INCH = 25.4


def make_symbol(payload: str) -> segno.QRCode:
    return mask.make_symbol(payload, ERROR_LEVEL)


def symbol_svg(payload: str, *, title: str | None = None, module_mm: float = MODULE_MM) -> bytes:
    """The symbol at its printed size (``width``/``height`` in mm), on a white ground: on a
    transparent one the quiet zone would take the colour of whatever is behind it."""
    out = io.BytesIO()
    make_symbol(payload).save(
        out,
        kind="svg",
        scale=module_mm,
        unit="mm",
        border=QUIET_ZONE,
        light="#fff",
        title=title,
    )
    return out.getvalue()


def symbol_png(payload: str, *, scale: int = PNG_SCALE, module_mm: float = MODULE_MM) -> bytes:
    """``scale`` pixels per module, with the resolution set so that it prints ``module_mm``
    per module."""
    out = io.BytesIO()
    dpi = round(scale * MM_PER_INCH / module_mm)
    make_symbol(payload).save(out, kind="png", scale=scale, border=QUIET_ZONE, dpi=dpi)
    return out.getvalue()
