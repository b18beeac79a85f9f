"""Uploaded documents: checked by their content (not their name), stored under a random name in the uploads folder
(outside static, never served by path), and read back only through a route that checks who may see them.

A request body over MAX_CONTENT_LENGTH is refused with 413 before any of this runs."""

import secrets
from pathlib import Path

from flask import current_app

from .errors import DomainError

PDF_LIMIT = 5 * 1024 * 1024


class UploadRefused(DomainError):
    """The file is not one we take; the message says why."""


def uploads_dir() -> Path:
    configured = current_app.config.get("UPLOADS_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def is_pdf(content: bytes) -> bool:
    """A PDF starts with its header and ends with its end-of-file marker (after at most some trailing bytes)."""
    return content.startswith(b"%PDF-") and b"%%EOF" in content[-1024:]


def save_pdf(upload, *, limit: int = PDF_LIMIT) -> str:
    """Keep an uploaded PDF under a new random name; that name."""
    content = upload.read(limit + 1)
    if not content:
        raise UploadRefused("The selected file is empty")
    if len(content) > limit:
        raise UploadRefused(f"The selected file must be smaller than {limit // (1024 * 1024)} MB")
    if not is_pdf(content):
        raise UploadRefused("The selected file must be a PDF")
    name = f"{secrets.token_hex(16)}.pdf"
    (uploads_dir() / name).write_bytes(content)
    return name


def read(name: str) -> bytes | None:
    """A stored upload's bytes by its stored name (only names we made: 32 hex digits and the extension)."""
    if len(name) != 36 or not all(c in "0123456789abcdef" for c in name[:32]) or not name.endswith(".pdf"):
        return None
    path = uploads_dir() / name
    return path.read_bytes() if path.is_file() else None
