"""Turning an uploaded picture into a speaker's photo with Pillow: only real JPEG, PNG or WebP
images within size and pixel limits (a decompression bomb is refused before it is decoded),
turned upright, cropped square, resized once into two sizes, in WebP with a JPEG fallback, and
written anew, so no metadata (EXIF, GPS, comments, colour profiles) survives."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from companion.errors import Invalid

#: The largest file taken (a phone's camera JPEG is 2–6 MB).
MAX_BYTES = 10 * 2**20
#: The most pixels decoded: 24 megapixels, a good phone camera's (a bomb claims far more in a
#: few kilobytes; a PNG of this size still costs some 300 MB while it is read).
MAX_PIXELS = 24_000_000
#: What Pillow must recognise the file as.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: Square edge in pixels of each size: avatars in lists (48 px shown, 2× screens) and the
#: speaker page (160 px shown, 2×).
SIZES = {"small": 96, "large": 320}
#: Formats written, with their media types: WebP for every browser of today, JPEG as the
#: fallback (and for the programme JSON, which anyone may read).
OUTPUTS = {"webp": "image/webp", "jpg": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class Photo:
    """The processed photo: every (size, format) as bytes, and a hash of them all for URLs."""

    files: dict[tuple[str, str], bytes]
    digest: str
    width: int
    height: int


def _refuse(message: str) -> Invalid:
    return Invalid(message, details={"fields": {"photo": message}})


def process(data: bytes) -> Photo:
    """The photo made from an uploaded file, or Invalid with what is wrong."""
    if not data:
        raise _refuse("Choose a photo to upload.")
    if len(data) > MAX_BYTES:
        megabytes = MAX_BYTES // 2**20
        raise _refuse(f"The file is too large: at most {megabytes} MB.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:  # reads the header only
                kind = probe.format
                width, height = probe.size
                if kind not in FORMATS:
                    raise _refuse("Upload a JPEG, PNG or WebP image.")
                if width * height > MAX_PIXELS:
                    raise _refuse("The image has too many pixels: at most 24 megapixels.")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                # A JPEG decodes at a fraction of its size when that is still larger than needed.
                image.draft("RGB", (4 * SIZES["large"], 4 * SIZES["large"]))
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = _on_white(upright)
                rgb.info = {}  # Pillow would write a JPEG's comment (and more) into the copies
        except Invalid:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse("The image has too many pixels: at most 24 megapixels.") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            message = "This file is not a JPEG, PNG or WebP image (or it is damaged)."
            raise _refuse(message) from None
    files: dict[tuple[str, str], bytes] = {}
    for size, edge in SIZES.items():
        square = ImageOps.fit(rgb, (edge, edge), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
        files[(size, "webp")] = _save(square, "WEBP", quality=82, method=6)
        files[(size, "jpg")] = _save(square, "JPEG", quality=84, optimize=True, progressive=True)
    digest = hashlib.blake2b(b"".join(files[key] for key in sorted(files)), digest_size=8)
    return Photo(files=files, digest=digest.hexdigest(), width=rgb.width, height=rgb.height)


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (JPEG has none)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _save(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)  # no exif=, icc_profile=: nothing of the upload is kept
    return out.getvalue()
