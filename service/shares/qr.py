"""QR codes of a post's address (the share menu's code, `/threads/<id>/qr.svg`).

qrcode, with Pillow under it (about 7 MiB per web worker), is imported only when a code is
drawn or an address is too long to be sure: every share menu, the no-JS thread page's
included, asks whether the address fits, and almost every address fits without drawing.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from service.http.errors import ValidationError

if TYPE_CHECKING:
    import qrcode

# What the largest code (version 40) holds at error correction M in byte mode, the least
# compact mode: qrcode's mixed modes never need more room, so a shorter address fits.
BYTE_CAPACITY = 2331


def _fitted_qr(data: str) -> qrcode.QRCode | None:
    """A QR code sized for `data`, or None when even the largest (version 40) cannot hold it."""
    import qrcode
    import qrcode.image.svg
    from qrcode.exceptions import DataOverflowError

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(data)
    # qrcode 8 raises ValueError("Invalid version (was 41…)") before its own DataOverflowError.
    try:
        code.best_fit()
    except (DataOverflowError, ValueError):
        return None
    return code


def qr_fits(data: str) -> bool:
    if len(data.encode("utf-8")) <= BYTE_CAPACITY:
        return True
    return _fitted_qr(data) is not None


def qr_svg(data: str) -> bytes:
    """A QR code as a standalone SVG (one path, scales without blur)."""
    code = _fitted_qr(data)
    if code is None:
        raise ValidationError(
            "The post's address is too long for a QR code.", code="url_too_long_for_qr"
        )
    code.make()
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()
