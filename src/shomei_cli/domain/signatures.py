"""The signer's registered signature image: checked by decoding it, never by its name, and normalised.

PNG or JPEG only; at most 2 MB and 4000 x 4000 pixels; a decompression bomb is refused before it is decoded in
full. Stored as PNG, cropped to the ink, on a transparent background, so it prints cleanly on any card or
certificate. (Pillow is the one dependency here; it does no I/O beyond the bytes it is given.)
"""

from __future__ import annotations

import io

from shomei_cli.domain.errors import InvalidInput
from shomei_cli.i18n import _

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
STORED_MAX_SIDE = 1200
# near-white counts as paper, not ink
PAPER_THRESHOLD = 200
FORMATS = {"PNG", "JPEG"}
# a signature on paper: some ink (a dot or a speck is not a signature), and mostly paper (a filled rectangle,
# a photograph of a dark desk, an all-black image are not). A seal (印影) may be mostly ink: only the minimum.
MIN_INK_PIXELS = 200
MAX_INK_SHARE = 0.5


def normalise_signature(data: bytes, field: str = "signature") -> bytes:
    """The stored form of an uploaded signature, or InvalidInput saying exactly why not."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise InvalidInput.single(field, _("is empty"))
    if len(data) > MAX_BYTES:
        raise InvalidInput.single(
            field, _("is {size} bytes; at most {maximum} (2 MB)").format(size=len(data), maximum=MAX_BYTES)
        )
    Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in FORMATS:
                raise InvalidInput.single(
                    field,
                    _("must be a PNG or JPEG image (this is {format})").format(format=kind or _("unknown")),
                )
            if width > MAX_SIDE or height > MAX_SIDE:
                raise InvalidInput.single(
                    field,
                    _("is {width}x{height} pixels; at most {maximum}x{maximum}").format(
                        width=width, height=height, maximum=MAX_SIDE
                    ),
                )
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except InvalidInput:
        raise
    except Image.DecompressionBombError:
        raise InvalidInput.single(
            field,
            _("claims more than {maximum}x{maximum} pixels (refused before decoding it)").format(
                maximum=MAX_SIDE
            ),
        ) from None
    except UnidentifiedImageError:
        raise InvalidInput.single(field, _("is not a readable PNG or JPEG image")) from None
    except (OSError, ValueError, SyntaxError):
        raise InvalidInput.single(field, _("is a damaged or truncated image")) from None
    rgba = image.convert("RGBA")
    # ink: dark enough and not transparent; everything else becomes transparent paper
    gray = rgba.convert("L")
    alpha = rgba.getchannel("A")
    ink = gray.point(lambda v: 255 if v < PAPER_THRESHOLD else 0)
    ink = Image.composite(ink, Image.new("L", ink.size, 0), alpha.point(lambda a: 255 if a > 32 else 0))
    box = ink.getbbox()
    if box is None:
        raise InvalidInput.single(field, _("has no visible signature (the image is blank)"))
    inked = ink.histogram()[255]
    if inked < MIN_INK_PIXELS:
        raise InvalidInput.single(
            field,
            _("has too little ink to be a signature ({pixels} dark pixels; at least {minimum})").format(
                pixels=inked, minimum=MIN_INK_PIXELS
            ),
        )
    share = inked / (ink.width * ink.height)
    if field != "seal" and share > MAX_INK_SHARE:
        raise InvalidInput.single(
            field,
            _("is {percent}% ink: a signature is written on paper, mostly blank (at most {most}%)").format(
                percent=round(share * 100), most=round(MAX_INK_SHARE * 100)
            ),
        )
    margin = 4
    left, top, right, bottom = box
    box = (
        max(0, left - margin),
        max(0, top - margin),
        min(rgba.width, right + margin),
        min(rgba.height, bottom + margin),
    )
    cropped = rgba.crop(box)
    mask = ink.crop(box)
    result = Image.new("RGBA", cropped.size, (0, 0, 0, 0))
    result.paste(cropped, (0, 0), mask)
    result.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    out = io.BytesIO()
    result.save(out, format="PNG", optimize=True)
    return out.getvalue()
