"""Uploaded photos: verified as real JPEG/PNG, re-encoded without metadata, kept privately."""

import io
import uuid
import warnings
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from volunteer.core.errors import ValidationFailed

MAX_SIDE = 1600
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = ("JPEG", "PNG")


def upload_dir() -> Path:
    """``instance/uploads/wishes``: outside the static folder, served only through a check."""
    folder = Path(current_app.instance_path) / "uploads" / "wishes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", 3 * 1024 * 1024))


def _refuse(message: str, field: str):
    raise ValidationFailed(message, fields={field: message})


def store_photo(data: bytes, field: str = "photo") -> str:
    """Check ``data`` is a JPEG or PNG picture, re-encode it as a clean JPEG, return its name."""
    if not data:
        _refuse("照片为空", field)
    if len(data) > max_bytes():
        _refuse(f"照片不能超过 {max_bytes() // (1024 * 1024)} MB", field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    _refuse("只能上传 JPG 或 PNG 照片", field)
                if probe.width * probe.height > MAX_PIXELS:
                    _refuse("照片尺寸过大", field)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                if image.mode not in ("RGB", "L"):
                    background = Image.new("RGB", image.size, "white")
                    rgba = image.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    image = background
                out = io.BytesIO()
                # no exif= / icc_profile= given: nothing of the original's metadata is written
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse("文件不是有效的 JPG 或 PNG 照片", field)
    name = f"{uuid.uuid4().hex}.jpg"
    (upload_dir() / name).write_bytes(out.getvalue())
    return name


def photo_path(name: str) -> Path | None:
    """The stored file of a photo name, or None (names are ours: hex and ``.jpg``)."""
    if not name or "/" in name or "\\" in name or not name.endswith(".jpg"):
        return None
    path = upload_dir() / name
    return path if path.is_file() else None


def delete_photo(name: str | None) -> None:
    path = photo_path(name) if name else None
    if path is not None:
        path.unlink(missing_ok=True)
