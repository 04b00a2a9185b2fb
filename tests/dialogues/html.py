"""A small HTML checker for the meeting pages: tags nest and close, ids are
unique, and every visible form control has a label (``for`` or around it)."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
VOID |= {"source", "track", "wbr"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.labels_for: set[str] = set()
        self.unlabelled: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            if attrs["id"] in self.ids:
                self.errors.append(f"duplicate id {attrs['id']}")
            self.ids.add(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.labels_for.add(attrs["for"])
        is_control = tag in ("select", "textarea") or (
            tag == "input" and attrs.get("type") not in UNLABELLED_TYPES
        )
        if is_control and "label" not in self.stack and not attrs.get("aria-label"):
            self.unlabelled.append(attrs.get("id") or attrs.get("name") or tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            self.errors.append(f"self-closed <{tag}/>")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1:]}>")
            while tag in self.stack and self.stack.pop() != tag:
                pass
            return
        self.stack.pop()


def assert_valid_page(html: str) -> None:
    checker = Checker()
    checker.feed(html)
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, checker.stack
    unlabelled = [name for name in checker.unlabelled if name not in checker.labels_for]
    assert not unlabelled, unlabelled
