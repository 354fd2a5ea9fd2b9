"""A client contact invited the way an operator does it (`surveyapp import contacts`, `surveyapp invitations
send`, the email delivered through the real SMTP server), and answering through their personal link."""

from __future__ import annotations

import itertools
import re
import urllib.parse
from dataclasses import dataclass

from tests.system.conftest import Browser, Page, Stack, links_in
from tests.system.htmlforms import form_posting_to

STUDY = "brightline-2026"
ACCOUNT = "Kempen Retail"
_numbers = itertools.count(1)
START_LINK = re.compile(r'href="(/survey/\d+/page/[^"]+)"[^>]*>')


@dataclass
class Respondent:
    email: str
    link: str  # the path of the personal link, /s/<token>
    browser: Browser
    survey: str = ""  # /survey/<invitation id>, once the link was opened

    def open_link(self) -> Page:
        page = self.browser.get(self.link)
        assert page.status == 302, f"{self.link} gave {page.status}"
        self.survey = urllib.parse.urlsplit(page.header("Location") or "").path
        return self.browser.get(self.survey)

    def first_page(self) -> str:
        start = self.browser.get(self.survey)
        found = START_LINK.search(start.text)
        assert found is not None, start.text[:2000]
        return found.group(1)

    def answer_page(self, path: str, text: str = "Tested over HTTP") -> Page:
        """Fill in the page at `path` as a browser would and press Next."""
        form = form_posting_to(self.browser.get(path).text, path)
        return self.browser.post(path, [*form.filled(text), ("action", "next")])

    def answer_all(self) -> list[str]:
        """Every page from the first to the review page; the paths of the pages answered."""
        path, answered = self.first_page(), []
        while True:
            saved = self.answer_page(path)
            assert saved.status == 303, f"saving {path} gave {saved.status}:\n{saved.text[:2000]}"
            answered.append(path)
            path = urllib.parse.urlsplit(saved.header("Location") or "").path
            if path.endswith("/review"):
                return answered

    def submit(self) -> Page:
        review = self.browser.get(f"{self.survey}/review")
        form = form_posting_to(review.text, "/submit")
        return self.browser.post(f"{self.survey}/submit", form.hidden())


def invite(stack: Stack, name: str) -> Respondent:
    """A new client contact of the demo's current wave, invited and emailed; returns them with their link."""
    email = f"{name}-{next(_numbers)}@kempenretail.example"
    contacts = stack.folder / f"{email}.csv"
    contacts.write_text(
        f"account,email,name,role,language,side\n{ACCOUNT},{email},Test {name},Buyer,en,client\n"
    )
    stack.cli("import", "contacts", "--study", STUDY, str(contacts))
    stack.cli("invitations", "send", "--study", STUDY)
    link = _link_for(stack, email)
    return Respondent(email=email, link=link, browser=stack.browser())


def _link_for(stack: Stack, email: str) -> str:
    for count in itertools.count(1):
        messages = stack.wait_for_mail(count)
        for message in messages:
            if email in str(message["To"]):
                personal = [urllib.parse.urlsplit(url).path for url in links_in(message) if "/s/" in url]
                assert personal, f"no personal link in the email to {email}"
                return personal[0]
        if count > 500:
            break
    raise AssertionError(f"no email to {email}")
