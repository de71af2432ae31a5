"""The signature image (登録サイン): PNG and JPEG are stored as a PNG cropped to the ink on a transparent
background; anything else is refused with the exact reason, and nothing is stored."""

from __future__ import annotations

import io
import resource
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageFile

from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.records import SignerView
from shomei_cli.services import review, signers
from shomei_cli.services.core import Core
from shomei_cli.store.tables import ReviewItem, Signer
from tests.unit.signers.conftest import (
    OSAKA,
    STORED_SIZE,
    Login,
    audit_events,
    blank_signature,
    compressed_bomb,
    count,
    encode,
    gif_signature,
    jpeg_signature,
    png_claiming,
    png_signature,
    snapshot,
    transparent_signature,
    truncated_signature,
)


def stored(core: Core, admin: Login, ref: str) -> Image.Image:
    image = Image.open(io.BytesIO(signers.signature_image(core, admin.actor, ref)))
    image.load()
    return image


@pytest.mark.parametrize(
    ("make", "kind"),
    [(png_signature, "PNG"), (jpeg_signature, "JPEG"), (transparent_signature, "PNG")],
    ids=["png", "jpeg", "transparent-png"],
)
def test_png_and_jpeg_are_stored_as_a_png_cropped_to_the_ink_on_transparent_paper(
    core: Core, admin: Login, make: Callable[[], bytes], kind: str
) -> None:
    upload = make()
    assert Image.open(io.BytesIO(upload)).format == kind

    view = signers.add_signer(core, admin.actor, dict(OSAKA), upload, None)

    assert (view.reference, view.status) == ("SG000001", "pending")
    image = stored(core, admin, "SG000001")
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", STORED_SIZE)
    assert image.size[0] < 600 and image.size[1] < 200
    width, height = image.size
    for corner in ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)):
        assert image.getpixel(corner)[3] == 0, corner  # type: ignore[index]
    # the ink itself stays black and opaque
    assert image.getpixel((width // 2, height // 2)) == (0, 0, 0, 255)


def test_a_new_signature_replaces_the_stored_one_in_the_same_normal_form(core: Core, admin: Login) -> None:
    signers.add_signer(core, admin.actor, dict(OSAKA), png_signature(), None)
    first = signers.signature_image(core, admin.actor, "SG000001")
    wider = Image.new("RGB", (800, 300), "white")
    wider.paste(Image.new("RGB", (600, 50), "black"), (100, 100))

    signers.update_signer(core, admin.actor, "SG000001", {}, encode(wider, "JPEG", quality=95))

    replaced = stored(core, admin, "SG000001")
    assert signers.signature_image(core, admin.actor, "SG000001") != first
    assert (replaced.mode, replaced.size) == ("RGBA", (608, 58))


def oversized(size: int) -> bytes:
    """A real JPEG signature padded (after its end marker) to ``size`` bytes."""
    image = jpeg_signature()
    return image + b"\x00" * (size - len(image))


def speck() -> bytes:
    """White paper with a 3 x 3 dot: something, but not a signature."""
    image = Image.new("RGB", (600, 200), "white")
    image.paste((0, 0, 0), (300, 100, 303, 103))
    return encode(image, "PNG")


REFUSED: list[tuple[str, Callable[[], bytes], str]] = [
    ("gif", gif_signature, "must be a PNG or JPEG image (this is GIF)"),
    (
        "text-named-png",
        lambda: b"This is not a picture of a signature.\n",
        "is not a readable PNG or JPEG image",
    ),
    ("empty", lambda: b"", "is empty"),
    ("over-2-mb", lambda: oversized(2 * 1024 * 1024 + 1), "is 2097153 bytes; at most 2097152 (2 MB)"),
    (
        "4001x10",
        lambda: encode(Image.new("RGB", (4001, 10), "black"), "PNG"),
        "is 4001x10 pixels; at most 4000x4000",
    ),
    ("blank", blank_signature, "has no visible signature (the image is blank)"),
    (
        "filled",
        lambda: encode(Image.new("RGB", (4000, 4000), "black"), "PNG"),
        "is 100% ink: a signature is written on paper, mostly blank (at most 50%)",
    ),
    (
        "dark-photo",
        lambda: encode(Image.new("RGB", (600, 200), (60, 50, 40)), "JPEG"),
        "is 100% ink: a signature is written on paper, mostly blank (at most 50%)",
    ),
    ("a-speck", speck, "has too little ink to be a signature (9 dark pixels; at least 200)"),
    ("truncated", truncated_signature, "is a damaged or truncated image"),
]


def test_a_bad_image_is_refused_with_the_exact_reason_and_nothing_is_stored(
    core: Core, admin: Login, staff: Login
) -> None:
    before = audit_events(core)

    for case, make, reason in REFUSED:
        with pytest.raises(InvalidInput) as refused:
            signers.add_signer(core, admin.actor, dict(OSAKA), make(), None)

        assert refused.value.errors == [FieldError("signature", reason)], case
        assert refused.value.message == f"Invalid input: signature: {reason}", case

    assert (count(core, Signer), count(core, ReviewItem)) == (0, 0)
    assert review.list_items(core, staff.actor, None, "all") == []
    assert audit_events(core) == before


def test_a_bad_new_signature_leaves_the_signer_as_it_was(
    core: Core, admin: Login, active: SignerView
) -> None:
    before = snapshot(core)

    with pytest.raises(InvalidInput) as refused:
        signers.update_signer(core, admin.actor, "SG000001", {"title": "会長"}, gif_signature())

    assert refused.value.errors == [FieldError("signature", "must be a PNG or JPEG image (this is GIF)")]
    assert snapshot(core) == before


def test_every_bad_field_is_reported_with_the_bad_image(core: Core, admin: Login) -> None:
    with pytest.raises(InvalidInput) as refused:
        signers.add_signer(core, admin.actor, {**OSAKA, "name": " ", "birth_date": "1980-13-01"}, b"", None)

    assert refused.value.errors == [
        FieldError("name", "is required"),
        FieldError("birth_date", "must be a date, e.g. 1980-01-01"),
        FieldError("signature", "is empty"),
    ]
    assert count(core, Signer) == 0


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_without_decoding_it(
    core: Core, admin: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    bombs = {"patched-header": png_claiming(20000, 20000), "compressed-1-bit": compressed_bomb()}
    decoded: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def spy(image: ImageFile.ImageFile) -> Any:
        decoded.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    for case, bomb in bombs.items():
        assert len(bomb) < 2 * 1024 * 1024, case
        with pytest.raises(InvalidInput) as refused:
            signers.add_signer(core, admin.actor, dict(OSAKA), bomb, None)
        assert refused.value.errors == [
            FieldError("signature", "claims more than 4000x4000 pixels (refused before decoding it)")
        ], case

    assert decoded == []  # refused from the header alone
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mib < 64  # decoded, 400 M pixels would take 400 MiB (grey) to 1.6 GiB (RGBA)
    # over 4000 pixels a side but under Pillow's bomb limit: the size itself is named
    with pytest.raises(InvalidInput) as wide:
        signers.add_signer(core, admin.actor, dict(OSAKA), png_claiming(8000, 3000), None)
    assert wide.value.errors == [FieldError("signature", "is 8000x3000 pixels; at most 4000x4000")]
    assert decoded == []
    assert count(core, Signer) == 0
