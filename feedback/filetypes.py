"""The uploads Lắng Nghe accepts, recognised by their first bytes — never by
their name or the browser's declared type."""

# signature, content type, extension (without the dot)
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` of an accepted file opening with
    ``head``, or ``None`` when it is not a PDF, JPEG or PNG."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None
