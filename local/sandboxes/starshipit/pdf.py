"""A real, small PDF label: one 4×6-inch page of Helvetica text (order, courier, tracking numbers, address), with the
cross-reference table a PDF reader needs. Standard-library only, so the sandbox's labels open in any viewer."""

from __future__ import annotations

#: 4 × 6 inches (a thermal shipping label) in points.
WIDTH, HEIGHT = 288, 432


def _text(value: str) -> str:
    latin = value.encode("latin-1", "replace").decode("latin-1")
    return latin.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def label_pdf(title: str, lines: list[str]) -> bytes:
    body = [f"BT /F1 16 Tf 18 {HEIGHT - 36} Td ({_text(title)}) Tj ET",
            f"1 w 12 12 {WIDTH - 24} {HEIGHT - 24} re S",
            f"BT /F1 10 Tf 18 {HEIGHT - 64} Td 13 TL"]
    body += [f"({_text(line)}) Tj T*" for line in lines]
    body.append("ET")
    stream = "\n".join(body)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for index, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{index} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
