"""One label's symbol: the same symbol segno would make, at level Q, read back from SVG/PNG."""

from __future__ import annotations

import io
import random
import string
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import segno
from PIL import Image

from service.domain.codes import ALPHABET, new_code
from service.labels import mask, qr
from tests.labels.raster import decode_qr

URL_CHARS = string.ascii_uppercase + string.digits + " $%*+-./:"


def label_payload(rng: random.Random, host: str = "HTTPS://CYL.EXAMPLE.CN") -> str:
    code = new_code(rng.randrange)
    tag = "".join(rng.choice(ALPHABET) for _ in range(4))
    return f"{host}/C/{code}/{tag}"


def sample_payloads(count: int, seed: int) -> list[str]:
    """Label URLs, and other texts of many lengths in both modes (versions 1 to 8)."""
    rng = random.Random(seed)
    payloads = [label_payload(rng) for _ in range(count // 2)]
    while len(payloads) < count:
        text = "".join(rng.choice(URL_CHARS) for _ in range(rng.choice([1, 9, 30, 70, 150])))
        payloads.append(text.lower() if rng.random() < 0.3 else text)
    return payloads


@pytest.mark.parametrize(("error", "count"), [("q", 600), ("m", 200), ("h", 200)])
def test_symbol_is_the_one_segno_makes(error: str, count: int) -> None:
    for payload in sample_payloads(count, seed=ord(error)):
        ours = mask.make_symbol(payload, error)
        theirs = segno.make(payload, error=error, micro=False)
        assert (ours.designator, ours.mask) == (theirs.designator, theirs.mask), payload
        assert ours.matrix == theirs.matrix, payload


def test_every_mask_is_chosen_for_some_label() -> None:
    """Guards against a scorer that always picks one mask (a fixed mask in disguise)."""
    rng = random.Random(7)
    chosen = {qr.make_symbol(label_payload(rng)).mask for _ in range(400)}
    assert chosen == set(range(8))


def test_penalties_match_segno_for_every_candidate() -> None:
    rng = random.Random(11)
    for _ in range(50):
        symbol = segno.make(label_payload(rng), error="q", micro=False, mask=0)
        size = len(symbol.matrix)
        shape = mask.layout(size)
        grid = np.frombuffer(b"".join(symbol.matrix), dtype=np.uint8).reshape(size, size)
        data = np.where(shape.is_data, (grid ^ shape.masks) & 1, 0).astype(np.uint8)
        packed = ((data * np.uint8(0xFF)) ^ shape.masks) | shape.function
        for k, score in enumerate(mask.penalties(packed)):
            candidate = tuple(bytearray(((row >> k) & 1).tobytes()) for row in packed)
            assert score == segno.encoder.evaluate_mask(candidate, size, size)


def test_a_label_url_is_version_3_at_level_q() -> None:
    """The docstring's arithmetic: ~41 alphanumeric characters fit 29 × 29 modules at Q."""
    payload = label_payload(random.Random(1))
    assert len(payload) == 41
    symbol = qr.make_symbol(payload)
    assert (symbol.version, symbol.error, symbol.mode) == (3, "Q", "alphanumeric")


def test_png_reads_back_and_prints_at_the_sheet_module_size() -> None:
    payload = label_payload(random.Random(2))
    image = Image.open(io.BytesIO(qr.symbol_png(payload, scale=8)))
    modules = 29 + 2 * qr.QUIET_ZONE
    assert image.size == (modules * 8, modules * 8)
    dpi = image.info["dpi"][0]
    assert 8 / dpi * 25.4 == pytest.approx(qr.MODULE_MM, rel=0.01)
    assert decode_qr(np.asarray(image.convert("L"))) == [payload]


def test_svg_has_its_printed_size_a_white_ground_and_a_title() -> None:
    payload = label_payload(random.Random(3))
    root = ET.fromstring(qr.symbol_svg(payload, title="7KQM 4XR9 2TB"))  # noqa: S314 - ours
    side = (29 + 2 * qr.QUIET_ZONE) * qr.MODULE_MM
    assert root.get("width") == root.get("height") == f"{side:g}mm"
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.findtext("svg:title", namespaces=ns) == "7KQM 4XR9 2TB"
    fills = [p.get("fill") for p in root.iter("{http://www.w3.org/2000/svg}path")]
    assert "#fff" in fills
