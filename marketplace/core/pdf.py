"""What the PDFs we make share (fpdf2's built-in fonts, which cover Latin-1 only): text made printable, a line
centred on the page, and a QR code of an address."""

import io
import unicodedata

import segno
from fpdf import FPDF

QR_SCALE = 4  # pixels per module
PUNCTUATION = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def qr_code_png(url: str) -> io.BytesIO:
    """A QR code of an address, as a PNG (segno needs no imaging library)."""
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=QR_SCALE, border=4, dark="#0b0c0c")
    image.seek(0)
    return image


def _latin1(char: str) -> str:
    return char if ord(char) < 256 else unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "?"


def printable(text: str) -> str:
    """Keep accents that fit Latin-1, else the base letter, else '?'."""
    return "".join(_latin1(char) for char in unicodedata.normalize("NFC", str(text).translate(PUNCTUATION)))


def centred_line(pdf: FPDF, text: str, size: int, *, style: str = "", top: float | None = None) -> None:
    """A line (wrapped if long) centred across the page."""
    if top is not None:
        pdf.set_y(top)
    pdf.set_font("Helvetica", style=style, size=size)
    pdf.multi_cell(0, size * 0.55, printable(text), align="C", new_x="LMARGIN", new_y="NEXT")


def framed_page(title: str, *, landscape: bool) -> FPDF:
    """An A4 page with the service's blue border, titled and authored, ready for centred lines."""
    pdf = FPDF(orientation="landscape" if landscape else "portrait", format="A4")
    pdf.set_title(title)
    pdf.set_author("Backstop")
    pdf.add_page()
    pdf.set_draw_color(29, 112, 184)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    return pdf


def check_here(pdf: FPDF, url: str, *, size_mm: int = 30) -> None:
    """Where to check the document: the address as text and a QR code of it, centred, shrunk to stay inside the
    border."""
    pdf.ln(4)
    centred_line(pdf, f"Check this certificate at {url}", 10)
    top = pdf.get_y() + 2
    size = max(18, min(size_mm, pdf.h - 13 - top))
    pdf.image(qr_code_png(url), x=(pdf.w - size) / 2, y=top, w=size, h=size, alt_text=f"QR code for {url}")
