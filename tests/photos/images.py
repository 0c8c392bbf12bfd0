"""Pictures for the photo tests, made with Pillow (no files in the repository)."""

from __future__ import annotations

import io

from PIL import Image


def jpeg(width: int = 400, height: int = 300, **options: object) -> bytes:
    """A JPEG: red on the left half, blue on the right."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def with_exif(orientation: int = 1) -> bytes:
    """A JPEG carrying EXIF: a camera, a GPS position and an orientation."""
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera 3000"  # Model
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 7.0), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS
    return jpeg(exif=exif.tobytes())


def png(mode: str = "RGBA", size: tuple[int, int] = (300, 300)) -> bytes:
    """A PNG (transparent by default)."""
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def photo_like(edge: int = 2000) -> bytes:
    """A detailed picture, compressed as a camera would (for sizes): a Mandelbrot set."""
    image = Image.effect_mandelbrot((edge, edge), (-2.0, -1.5, 1.0, 1.5), 100).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()
