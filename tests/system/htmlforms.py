"""Reading HTML forms the way a browser without JavaScript fills them in: every field of a form, and a filled
set of values for a survey page (a middle option of each scale, the first choice of each list, a short text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def hidden(self) -> list[tuple[str, str]]:
        return [(f.name, f.value) for f in self.fields if f.kind == "hidden"]

    def filled(self, text: str = "Tested over HTTP") -> list[tuple[str, str]]:
        """Hidden fields as they are, one middle option per radio group, the first box of each checkbox
        group, the first real option of each select, `text` in every text field."""
        values: list[tuple[str, str]] = self.hidden()
        radios: dict[str, list[str]] = {}
        boxes: dict[str, list[str]] = {}
        for item in self.fields:
            if item.kind == "radio":
                radios.setdefault(item.name, []).append(item.value)
            elif item.kind == "checkbox":
                boxes.setdefault(item.name, []).append(item.value)
            elif item.kind == "select":
                real = [option for option in item.options if option]
                if real:
                    values.append((item.name, real[0]))
            elif item.kind in ("text", "textarea", "email"):
                values.append((item.name, text))
            elif item.kind == "number":
                values.append((item.name, "3"))
        for name, options in radios.items():
            scored = [option for option in options if option not in ("na", "NA", "dont_know")]
            choices = scored or options
            values.append((name, choices[len(choices) // 2]))
        for name, options in boxes.items():
            values.append((name, options[0]))
        return values


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(attributes.get("action", ""), attributes.get("method", "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            form.fields.append(
                Field(name, kind, attributes.get("value", ""), checked="checked" in attributes)
            )
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea")
            form.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = Field(name, "select")
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def form_posting_to(html: str, fragment: str) -> Form:
    """The first form whose action contains `fragment`."""
    found = [form for form in forms(html) if fragment in form.action]
    assert found, f"no form posting to {fragment!r} on the page"
    return found[0]
