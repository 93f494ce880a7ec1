"""The public cylinder page (公众查询页): what a phone camera opens from a cylinder's QR label.

``/C/<CODE>/<TAG>`` is what our labels print (upper case, see ``Context.qr_payload``);
``/c/...`` is the same page for people who type. No login, no JavaScript, nothing fetched
from elsewhere, and no person's data (``use_cases.public.read_public`` decides what is shown).

The label tag decides the banner above the status:

* a tag that verifies: no banner;
* a tag that does not (``label_verified`` false): 标签可能是伪造的, in red. Someone printed a
  label without our key, or copied a code onto another cylinder's label;
* no tag at all (``/c/<CODE>``, ``label_verified`` null): a milder 标签未核验 notice. Every
  label we print has a tag, so a QR code without one is suspect, but the short URL printed
  under the QR is meant to be typed by hand, and a person who typed it has done nothing
  wrong. The notice says both: not verified, and forged if it came from scanning a QR code.

The cylinder's status is shown in every case: a forged label on a cylinder says nothing
about the cylinder the code names, and the reader may be looking at the real one.

An unknown code and a malformed one are 404 pages in the same style, never a 500.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from service.domain.codes import CODE_LENGTH, format_code
from service.domain.errors import NotFound
from service.use_cases import public
from service.use_cases.context import Context

# Next to this module, so that an installed package finds them too.
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
TEMPLATES.env.filters["grouped"] = format_code

# The page may load nothing from anywhere (its style is inline) and run no script; the tag in
# its URL is not sent on as a referrer; search engines do not index cylinder codes; the status
# changes with the date, so a cached copy must be revalidated.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
# How much of an unknown code the 404 page echoes back (escaped by Jinja's autoescape).
MAX_SHOWN = 40

router = APIRouter(include_in_schema=False)


async def _page(request: Request, code: str, tag: str | None) -> HTMLResponse:
    ctx: Context = request.app.state.ctx
    try:
        cylinder = await public.read_public(ctx, code, tag)
    except NotFound as exc:
        shown = code[:MAX_SHOWN]
        context = {"error": exc.code, "shown": shown, "code_length": CODE_LENGTH}
        return TEMPLATES.TemplateResponse(
            request, "public/not_found.html", context, status_code=404, headers=HEADERS
        )
    return TEMPLATES.TemplateResponse(
        request, "public/cylinder.html", {"c": cylinder}, headers=HEADERS
    )


@router.get("/C/{code}/{tag}", response_class=HTMLResponse)
@router.get("/c/{code}/{tag}", response_class=HTMLResponse)
async def scanned_page(request: Request, code: str, tag: str) -> HTMLResponse:
    """From a QR label: the tag is checked."""
    return await _page(request, code, tag)


@router.get("/C/{code}", response_class=HTMLResponse)
@router.get("/c/{code}", response_class=HTMLResponse)
async def typed_page(request: Request, code: str) -> HTMLResponse:
    """From the short URL typed by hand: no tag to check (see the module docstring)."""
    return await _page(request, code, None)
