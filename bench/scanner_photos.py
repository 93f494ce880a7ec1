"""Seeded synthetic photos of labelled gas cylinders, for the scanner benchmark.

    .venv/bin/python -m bench.scanner_photos [--seed 20240601] [--per-tier 20] [--negatives 10]
        [--out out/scanner_photos]

writes ``<tier>-<index>.jpg`` and a ``manifest.json`` (payload and drawn parameters per frame).

Method (shared/reference/qr-decoders.md §2): our own payload, ``HTTPS://CYL.EXAMPLE.CN/C/<code>/
<tag>`` made with ``new_code`` and encoded by segno at level Q (what our labels print: version 3,
29 modules), sits with a 4-module quiet zone on a paper label. The label is wrapped around a
vertical cylinder, seen orthographically across (x = R·sin(s/R)), painted, shaded (Lambertian
plus a specular stripe along the axis), and placed in a 1280×720 frame through the homography of
a 3-D camera (roll, pitch, yaw; f = 1000 px), over a cluttered background (other cylinders,
bars, stencil text, finder-like squares). The label's neighbourhood is rendered at 2× and
area-downsampled (the reference rendered the whole frame at 2×; away from the symbol that only
cost time). Then: uneven light and vignetting, a glare blob near the code, motion blur, Gaussian
blur, noise, JPEG.

The tiers keep the reference's parameters, fixed before any decoder was tuned on them: "code px"
is the symbol's width along the surface, "arc" the angle of the cylinder it covers. Negative
frames use the medium settings with a label that is blank, random blocks, or random blocks
framed by three finder patterns (a decoy that a decoder must not "read").

Every frame draws from its own generator seeded by ``(seed, tier, index)``: the same triple gives
byte-identical JPEG bytes, whatever else is generated and in whatever order or process.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import segno
from numpy.typing import NDArray

from service.domain.codes import ALPHABET, TAG_LENGTH, format_code, new_code

WIDTH, HEIGHT = 1280, 720
SUPERSAMPLE = 2
FOCAL_PX = 1000.0
QUIET_ZONE = 4
SYMBOL_MODULES = 29  # version 3: our ~41-character upper-case URL at level Q
HOST = "CYL.EXAMPLE.CN"
DEFAULT_SEED = 20240601

Image = NDArray[np.uint8]
Floats = NDArray[np.float32]


@dataclass(frozen=True)
class Tier:
    code_px: tuple[float, float]
    arc_deg: tuple[float, float]
    tilt_deg: float  # pitch and yaw, each within ±tilt
    roll_deg: float
    blur_sigma: tuple[float, float]
    motion_px: tuple[float, float]
    noise_sigma: tuple[float, float]
    jpeg_quality: tuple[int, int]
    glare_chance: float
    glare_gain: tuple[float, float]


TIERS = {
    "easy": Tier((140, 200), (10, 25), 10, 15, (0, 0.6), (0, 0), (1, 3), (85, 95), 0, (0, 0)),
    "medium": Tier(
        (90, 150), (25, 50), 25, 45, (0.5, 1.1), (0, 4), (3, 7), (60, 85), 0.4, (40, 120)
    ),
    "hard": Tier(
        (80, 130), (45, 80), 40, 180, (0.6, 1.2), (1, 5), (6, 12), (35, 65), 0.7, (80, 200)
    ),
}
TIERS["negative"] = TIERS["medium"]


@dataclass(frozen=True)
class Photo:
    tier: str
    index: int
    label: str  # qr, or on a negative frame: blank, blocks, decoy (blocks and finder patterns)
    payload: str | None  # None on a negative frame
    jpeg: bytes
    code_px: float
    arc_deg: float

    @property
    def name(self) -> str:
        return f"{self.tier}-{self.index:04d}"

    def image(self) -> Image:
        frame = cv2.imdecode(np.frombuffer(self.jpeg, np.uint8), cv2.IMREAD_COLOR)
        if frame is None:  # pragma: no cover - the JPEG was made by make_set
            raise ValueError(f"{self.name}: not a JPEG")
        return np.asarray(frame, np.uint8)


def make_payload(rng: random.Random) -> tuple[str, str]:
    """A fresh code and its label URL, as our labels print it (upper case: alphanumeric mode)."""
    code = new_code(rng.randrange)
    tag = "".join(rng.choice(ALPHABET) for _ in range(TAG_LENGTH))
    return code, f"HTTPS://{HOST}/C/{code}/{tag}"


def qr_modules(payload: str) -> NDArray[np.bool_]:
    """True = dark module, without the quiet zone; exactly the symbol our labels print."""
    symbol = segno.make(payload, error="q", micro=False)
    return np.array(symbol.matrix, dtype=bool)


def decoy_modules(rng: random.Random, size: int, *, finders: bool) -> NDArray[np.bool_]:
    np_rng = np.random.default_rng(rng.getrandbits(64))
    blocks = np_rng.random((size, size)) < 0.5
    if finders:
        finder = np.ones((7, 7), bool)
        finder[1:6, 1:6] = False
        finder[2:5, 2:5] = True
        for r, c in ((0, 0), (0, size - 7), (size - 7, 0)):
            blocks[max(r - 1, 0) : r + 8, max(c - 1, 0) : c + 8] = False
            blocks[r : r + 7, c : c + 7] = finder
    return blocks


def render_label(modules: NDArray[np.bool_] | None, caption: str, px_per_module: int = 8) -> Image:
    """A paper label (gray): the symbol inside a 4-module quiet zone, a caption underneath.
    ``modules=None`` leaves the symbol's square blank."""
    size = SYMBOL_MODULES if modules is None else modules.shape[0]
    side = (size + 2 * QUIET_ZONE) * px_per_module
    text_h = 3 * px_per_module * 2
    label = np.full((side + text_h, side), 245, np.uint8)
    if modules is not None:
        dark = np.kron(modules, np.ones((px_per_module, px_per_module), bool))
        top = QUIET_ZONE * px_per_module
        label[top : top + dark.shape[0], top : top + dark.shape[1]][dark] = 25
    scale = px_per_module * 0.13
    for row, text in enumerate((caption, "LPG YSP35.5")):
        y = side + int((row + 0.8) * 3 * px_per_module)
        cv2.putText(label, text, (px_per_module * 3, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 40, 2)
    return label


def _rotation(pitch: float, yaw: float, roll: float) -> NDArray[np.float64]:
    cp, sp, cy, sy, cr, sr = (f(a) for a in (pitch, yaw, roll) for f in (math.cos, math.sin))
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    rotation: NDArray[np.float64] = rz @ rx @ ry
    return rotation


def _background(rng: random.Random, h: int, w: int) -> Image:
    """Clutter: wall gradient, other cylinders, bars, stencil text, finder-like squares."""
    top, bottom = (np.array([rng.uniform(40, 200) for _ in range(3)]) for _ in range(2))
    ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = (top * (1 - ramp) + bottom * ramp).astype(np.uint8) * np.ones((1, w, 1), np.uint8)
    for _ in range(rng.randint(2, 5)):  # other cylinders: vertically shaded bands
        x0, cw = rng.randrange(w), rng.randint(w // 10, w // 4)
        shade = np.sin(np.linspace(0.1, math.pi - 0.1, cw)) ** 0.7
        colour = np.array([rng.uniform(60, 230) for _ in range(3)])
        band = (shade[None, :, None] * colour).astype(np.uint8)
        x1 = min(x0 + cw, w)
        img[rng.randrange(h // 3) :, x0:x1] = band[:, : x1 - x0]
    for _ in range(rng.randint(2, 6)):  # bars and pipes
        p0, p1 = (rng.randrange(w), rng.randrange(h)), (rng.randrange(w), rng.randrange(h))
        bar_colour = [rng.randrange(256) for _ in range(3)]
        cv2.line(img, p0, p1, bar_colour, rng.randint(3, 20), cv2.LINE_AA)
    for _ in range(rng.randint(2, 5)):  # stencil text
        text = rng.choice(["LPG", "15KG", "YSP35.5", "NO SMOKING", "2023-08", "GAS", "A-17"])
        org, scale = (rng.randrange(w), rng.randrange(h)), rng.uniform(0.5, 2.5)
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_DUPLEX, scale, 20, 3, cv2.LINE_AA)
    for _ in range(rng.randint(3, 8)):  # squares that look like finder patterns
        _draw_finder(img, rng, (rng.randrange(w), rng.randrange(h)), rng.uniform(6, 40))
    return img


def _draw_finder(img: Image, rng: random.Random, centre: tuple[int, int], side: float) -> None:
    angle = rng.uniform(0, math.pi / 2)
    c, s = math.cos(angle), math.sin(angle)
    for ratio, value in ((1.0, 20), (5 / 7, 235), (3 / 7, 20)):
        half = side * ratio / 2
        corners = [(-half, -half), (half, -half), (half, half), (-half, half)]
        pts = [(centre[0] + x * c - y * s, centre[1] + x * s + y * c) for x, y in corners]
        cv2.fillConvexPoly(img, np.array(pts, np.int32), (value, value, value), cv2.LINE_AA)


@dataclass(frozen=True)
class _Cylinder:
    """Where the cylinder is and how it looks. Plane units are 2× frame pixels; the plane's
    origin is the centre of the label's symbol."""

    radius: float
    top: float  # plane y of one end; the other is at top + length
    length: float
    homography: NDArray[np.float64]  # plane (x, y) -> 2× frame pixels
    centre: tuple[float, float]  # of the symbol, in 1× frame pixels
    tile: Image  # paint, tiled over the unrolled surface
    light: float  # direction of the diffuse light, radians around the axis
    gloss: tuple[float, float, float]  # specular stripe: angle, gain, width


def _cylinder(rng: random.Random, tier: Tier, code_px: float, arc_deg: float) -> _Cylinder:
    s = SUPERSAMPLE
    radius = code_px * s / math.radians(arc_deg)
    length = rng.uniform(3.5, 4.5) * radius
    tilt = math.radians(tier.tilt_deg)
    rotation = _rotation(
        rng.uniform(-tilt, tilt),
        rng.uniform(-tilt, tilt),
        math.radians(rng.uniform(-tier.roll_deg, tier.roll_deg)),
    )
    margin = code_px * 0.9
    cx, cy = rng.uniform(margin, WIDTH - margin), rng.uniform(margin, HEIGHT - margin)
    f = FOCAL_PX * s
    camera = np.array([[f, 0, cx * s], [0, f, cy * s], [0, 0, 1]])
    # The plane sits at depth f, so one plane unit is one 2× pixel at the symbol's centre.
    extrinsic = np.column_stack([rotation[:, 0], rotation[:, 1], [0.0, 0.0, f]])
    return _Cylinder(
        radius=radius,
        top=-rng.uniform(0.3, 0.7) * length,
        length=length,
        homography=camera @ extrinsic,
        centre=(cx, cy),
        tile=_paint_tile(rng, np.array([rng.uniform(40, 230) for _ in range(3)])),
        light=rng.uniform(-0.6, 0.6),
        gloss=(rng.uniform(-0.5, 0.5), rng.uniform(20, 90), rng.uniform(0.05, 0.15)),
    )


def _paint_tile(rng: random.Random, colour: NDArray[np.float64]) -> Image:
    """Paint with mottling and scratches, tiled along the unrolled surface."""
    np_rng = np.random.default_rng(rng.getrandbits(64))
    # Padded by wrapping before the upscale, so that the tile has no seam where it repeats.
    coarse = np.pad(np_rng.normal(1, 0.06, (16, 16)).astype(np.float32), 2, mode="wrap")
    mottle = cv2.resize(coarse, (320, 320), interpolation=cv2.INTER_CUBIC)[32:288, 32:288]
    tile = np.clip(mottle[..., None] * colour, 0, 255).astype(np.uint8)
    for _ in range(rng.randint(5, 25)):
        p0 = (rng.randrange(256), rng.randrange(256))
        p1 = (p0[0] + rng.randint(-60, 60), p0[1] + rng.randint(-20, 20))
        cv2.line(tile, p0, p1, [rng.uniform(120, 230)] * 3, 1)
    return tile


Box = tuple[int, int, int, int]  # x0, y0, x1, y1


def _bounds(homography: NDArray[np.float64], rect: Box | tuple[float, ...], h: int, w: int) -> Box:
    """The frame box that can show the plane rectangle ``rect`` (x0, y0, x1, y1): the bounding
    box of its projected corners, or the whole frame when a corner lies behind the camera."""
    x0, y0, x1, y1 = rect
    corners = np.array([[x, y, 1.0] for x in (x0, x1) for y in (y0, y1)]).T
    projected = homography @ corners
    if (projected[2] <= 1e-6).any():
        return 0, 0, w, h
    xs, ys = projected[0] / projected[2], projected[1] / projected[2]
    return (
        int(np.clip(xs.min() - 2, 0, w)),
        int(np.clip(ys.min() - 2, 0, h)),
        int(np.clip(xs.max() + 3, 0, w)),
        int(np.clip(ys.max() + 3, 0, h)),
    )


def _render(
    frame: Image, cyl: _Cylinder, label: Image, label_scale: float, homography: NDArray[np.float64]
) -> None:
    """Draw the cylinder and its label into ``frame`` in place, ``homography`` mapping the plane
    to its pixels: each pixel is traced back to the plane, then around the cylinder to the
    unrolled surface (label or paint), and shaded by its angle to the light."""
    r = cyl.radius
    x0, y0, x1, y1 = _bounds(homography, (-r, cyl.top, r, cyl.top + cyl.length), *frame.shape[:2])
    if x1 <= x0 or y1 <= y0:
        return
    rows = np.arange(y0, y1, dtype=np.float32)[:, None]
    cols = np.arange(x0, x1, dtype=np.float32)[None, :]
    inv = np.linalg.inv(homography).astype(np.float32)
    hom = [inv[i, 0] * cols + inv[i, 1] * rows + inv[i, 2] for i in range(3)]
    x, y = hom[0] / hom[2], hom[1] / hom[2]
    h2 = homography[2].astype(np.float32)
    depth = h2[0] * x + h2[1] * y + h2[2]
    inside = (np.abs(x) < r * 0.999) & (y > cyl.top) & (y < cyl.top + cyl.length) & (depth > 0)
    theta = np.arcsin(np.clip(x / r, -0.999, 0.999))
    arc = theta * r  # position along the surface
    anchor = label.shape[1] / 2
    lx, ly = arc / label_scale + anchor, y / label_scale + anchor
    on_label = (lx >= 0) & (lx < label.shape[1]) & (ly >= 0) & (ly < label.shape[0])
    paper = cv2.remap(label, lx, ly, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    paint = cv2.remap(cyl.tile, arc / 4, y / 4, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    surface = np.where(on_label[..., None], paper[..., None], paint).astype(np.float32)
    stripe, gain, width = cyl.gloss
    surface *= (0.35 + 0.65 * np.clip(np.cos(theta - cyl.light), 0, 1))[..., None]
    surface += (gain * np.exp(-(((theta - stripe) / width) ** 2)))[..., None]
    lit = np.clip(surface, 0, 255, out=surface).astype(np.uint8)
    np.copyto(frame[y0:y1, x0:x1], lit, where=inside[..., None])


def _render_scene(rng: random.Random, cyl: _Cylinder, label: Image, label_scale: float) -> Image:
    """The 1× frame: background and cylinder at 1×, then the label's neighbourhood again at
    2×, area-reduced and pasted over (the symbol's edges are what decoders see; rendering the
    whole frame at 2× would cost 4× as much for the same symbol)."""
    s = SUPERSAMPLE
    frame = _background(rng, HEIGHT, WIDTH)
    _render(frame, cyl, label, label_scale, np.diag([1 / s, 1 / s, 1.0]) @ cyl.homography)
    half_w = label.shape[1] / 2 * label_scale + 4 * label_scale
    half_x = cyl.radius * math.sin(min(half_w / cyl.radius, math.pi / 2))
    ys = (-label.shape[1] / 2 * label_scale, (label.shape[0] - label.shape[1] / 2) * label_scale)
    rect = (-half_x, ys[0] - 4 * label_scale, half_x, ys[1] + 4 * label_scale)
    x0, y0, x1, y1 = (v // s * s for v in _bounds(cyl.homography, rect, HEIGHT * s, WIDTH * s))
    if x1 <= x0 or y1 <= y0:
        return frame
    window = frame[y0 // s : y1 // s, x0 // s : x1 // s]
    big = np.asarray(
        cv2.resize(window, None, fx=s, fy=s, interpolation=cv2.INTER_NEAREST), np.uint8
    )
    shift = np.array([[1.0, 0, -x0], [0, 1, -y0], [0, 0, 1]])
    _render(big, cyl, label, label_scale, shift @ cyl.homography)
    window[...] = cv2.resize(big, (window.shape[1], window.shape[0]), interpolation=cv2.INTER_AREA)
    return frame


def _motion_kernel(length: float, angle: float) -> Floats:
    """A line of ``length`` pixels at ``angle``, drawn 8× finer and area-reduced, so that
    fractional lengths blur by fractional amounts."""
    size = 2 * math.ceil(length / 2) + 1
    fine = np.zeros((size * 8, size * 8), np.float32)
    centre, half = size * 4, length * 4
    dx, dy = half * math.cos(angle), half * math.sin(angle)
    p0 = (round(centre - dx), round(centre - dy))
    p1 = (round(centre + dx), round(centre + dy))
    cv2.line(fine, p0, p1, 1.0, 8)
    kernel = np.asarray(cv2.resize(fine, (size, size), interpolation=cv2.INTER_AREA), np.float32)
    normalised: Floats = kernel / kernel.sum()
    return normalised


def _light_field(
    rng: random.Random, tier: Tier, centre: tuple[float, float], code_px: float
) -> Floats:
    """Gain per pixel (gradient × vignette) and an additive glare blob near the code, computed
    at 1/4 resolution: both are smooth, and the full-resolution field costs 4× more."""
    q = 4
    yy, xx = np.mgrid[0 : HEIGHT // q, 0 : WIDTH // q].astype(np.float32) * q + q / 2
    nx, ny = (xx - WIDTH / 2) / (WIDTH / 2), (yy - HEIGHT / 2) / (HEIGHT / 2)
    direction = rng.uniform(0, 2 * math.pi)
    ramp = 1 + rng.uniform(0.1, 0.4) * (nx * math.cos(direction) + ny * math.sin(direction)) / 2
    vignette = 1 - rng.uniform(0.1, 0.35) * (nx**2 + ny**2) / 2
    gain = ramp * vignette * rng.uniform(0.8, 1.15)
    glare = np.zeros_like(gain)
    if rng.random() < tier.glare_chance:
        gx = centre[0] + rng.uniform(-0.6, 0.6) * code_px
        gy = centre[1] + rng.uniform(-0.6, 0.6) * code_px
        sigma = rng.uniform(0.15, 0.5) * code_px
        blob = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * sigma**2))
        glare = rng.uniform(*tier.glare_gain) * blob
    size = (WIDTH, HEIGHT)
    field: Floats = np.stack([cv2.resize(f, size) for f in (gain, glare)], axis=-1)
    return field


def _degrade(
    rng: random.Random, img: Image, tier: Tier, centre: tuple[float, float], code_px: float
) -> bytes:
    np_rng = np.random.default_rng(rng.getrandbits(64))
    field = _light_field(rng, tier, centre, code_px)
    out = img.astype(np.float32) * field[..., :1] + field[..., 1:]
    motion = rng.uniform(*tier.motion_px)
    if motion >= 0.5:
        out = np.asarray(
            cv2.filter2D(out, -1, _motion_kernel(motion, rng.uniform(0, math.pi))), np.float32
        )
    sigma = rng.uniform(*tier.blur_sigma)
    if sigma >= 0.05:
        out = np.asarray(cv2.GaussianBlur(out, (0, 0), sigma), np.float32)
    out += np_rng.standard_normal(out.shape, np.float32) * rng.uniform(*tier.noise_sigma)
    quality = rng.randint(*tier.jpeg_quality)
    ok, jpeg = cv2.imencode(
        ".jpg", np.clip(out, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:  # pragma: no cover - a JPEG encoder failure is not a benchmark result
        raise RuntimeError("JPEG encoding failed")
    return jpeg.tobytes()


def make_photo(seed: int, tier: str, index: int) -> Photo:
    """One frame of ``tier`` (easy, medium, hard, negative); the same arguments give the same
    bytes."""
    rng = random.Random(f"{seed}:{tier}:{index}")
    spec = TIERS[tier]
    code, url = make_payload(rng)
    code_px, arc_deg = rng.uniform(*spec.code_px), rng.uniform(*spec.arc_deg)
    if tier == "negative":
        kind = rng.choice(["blank", "blocks", "decoy"])
        modules = None
        if kind != "blank":
            modules = decoy_modules(rng, SYMBOL_MODULES, finders=kind == "decoy")
        payload = None
    else:
        kind, modules, payload = "qr", qr_modules(url), url
    module_2x = code_px * SUPERSAMPLE / SYMBOL_MODULES
    px_per_module = max(3, round(module_2x))
    label = render_label(modules, format_code(code), px_per_module)
    cyl = _cylinder(rng, spec, code_px, arc_deg)
    frame = _render_scene(rng, cyl, label, module_2x / px_per_module)
    jpeg = _degrade(rng, frame, spec, cyl.centre, code_px)
    return Photo(tier, index, kind, payload, jpeg, round(code_px, 1), round(arc_deg, 1))


def _make_one(args: tuple[int, str, int]) -> Photo:
    return make_photo(*args)


def make_set(seed: int, counts: dict[str, int], processes: int = 2) -> list[Photo]:
    """``counts[tier]`` frames per tier, in a fixed order; generated by ``processes`` workers
    (each frame is independent of the others, so the result does not depend on it)."""
    jobs = [(seed, tier, i) for tier, n in counts.items() for i in range(n)]
    if processes <= 1:
        return [_make_one(job) for job in jobs]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return pool.map(_make_one, jobs, chunksize=8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--per-tier", type=int, default=20)
    parser.add_argument("--negatives", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path("out/scanner_photos"))
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    counts = dict.fromkeys(("easy", "medium", "hard"), args.per_tier)
    counts["negative"] = args.negatives
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for photo in make_set(args.seed, counts, args.processes):
        (args.out / f"{photo.name}.jpg").write_bytes(photo.jpeg)
        manifest.append({k: v for k, v in asdict(photo).items() if k != "jpeg"})
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print(f"{len(manifest)} frames in {args.out}")


if __name__ == "__main__":
    main()
