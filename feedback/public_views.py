"""Pages of the citizen portal: send a letter, track it, rate the answer,
read the published answers and the units' figures.

No account, no JavaScript needed, no external asset.  Every page carries the
site's strict Content-Security-Policy (``feedback.middleware_security``);
pages that show a code, a PIN or a case are never cached.  Views parse the
request, call one service or selector and render.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from feedback.accounts import client_ip
from feedback.errors import DomainError, InvalidInputError, NotFoundError
from feedback.public_forms import (
    AnswerFilterForm,
    RatingForm,
    SubmissionForm,
    TrackForm,
    issue_stamp,
)
from feedback.qr import tracking_qr_svg, tracking_url
from feedback.selectors.public import (
    public_desk_unit,
    public_field_codes,
    public_fields,
    public_hamlets,
    published_answer_page,
    published_answer_periods,
    scorecard,
)
from feedback.services.public import (
    ThrottledError,
    public_case_by_token,
    public_case_lookup,
    public_rating_submit,
    public_submission_create,
)
from feedback.tracking import format_code, normalize_code

# Service argument names → form field names, for per-field messages.
SUBMISSION_FIELDS = {"field_id": "field", "hamlet_id": "hamlet"}


# The site header of ``base.html`` that a visitor who is not logged in sees,
# per language and page: the same markup on every request but for the CSRF
# token and the page's own address, which replace their marks.  Rendered
# (links reversed, strings translated), it costs about as much as the rest of
# a portal page.
_visitor_headers: dict[tuple, str] = {}
CSRF_MARK = "csrf-token-mark"
NEXT_MARK = "next-path-mark"


class _MarkedRequest:
    """What the header reads of a request, with a mark for its full path."""

    def __init__(self, path: str):
        self.path = path

    def get_full_path(self) -> str:
        return NEXT_MARK


def _visitor_header(request, csrf_token: str) -> str:
    key = (get_language(), get_script_prefix(), get_urlconf(), request.path)
    header = _visitor_headers.get(key)
    if header is None:
        page = render_to_string(
            "base.html",
            {
                "user": AnonymousUser(),
                "request": _MarkedRequest(request.path),
                "csrf_token": CSRF_MARK,
            },
        )
        start, end = page.index("<header"), page.index("</header>")
        header = _visitor_headers[key] = page[start : end + len("</header>")]
    header = header.replace(CSRF_MARK, escape(csrf_token))
    return mark_safe(header.replace(NEXT_MARK, escape(request.get_full_path())))  # noqa: S308


# The portal's own style sheet and script, per script prefix: the ``head``
# block of its pages.
_portal_heads: dict[str, str] = {}


def _portal_head() -> str:
    prefix = get_script_prefix()
    head = _portal_heads.get(prefix)
    if head is None:
        head = _portal_heads[prefix] = render_to_string("public/_head.html")
    return mark_safe(head)  # noqa: S308


def _render(request, template_name: str, context: dict, status: int = 200):
    """``render`` a page of the portal: with its ``head`` block, and the site
    header ready-made for a visitor who is not logged in (the page's forms
    then given the same CSRF token as the header's)."""
    context["portal_head"] = _portal_head()
    if not request.user.is_authenticated:
        context["csrf_token"] = csrf_token = get_token(request)
        context["site_header"] = _visitor_header(request, csrf_token)
    return render(request, template_name, context, status=status)


def _add_domain_errors(form, error: DomainError, names: dict | None = None) -> None:
    names = names or {}
    if not error.fields:
        form.add_error(None, str(error.message))
        return
    for key, message in error.fields.items():
        name = names.get(key, key)
        form.add_error(name if name in form.fields else None, str(message))


def _receipt_text(receipt, track_link: str) -> str:
    lines = [
        _("Lắng Nghe — receipt of an online letter"),
        _("Tracking code: %(code)s") % {"code": receipt.display_code},
    ]
    if receipt.pin:
        lines.append(_("PIN: %(pin)s") % {"pin": receipt.pin})
    lines += [
        _("Received on: %(date)s")
        % {"date": timezone.localtime(receipt.received_at).strftime("%d/%m/%Y %H:%M")},
        _("Track it at: %(url)s") % {"url": track_link},
    ]
    return "\r\n".join(lines) + "\r\n"


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request):
    """The online letter form; on success the receipt with code and PIN."""
    desk = public_desk_unit()
    choices = {
        "field_choices": public_fields(),
        "hamlet_choices": public_hamlets(desk=desk),
    }
    status = 200
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, **choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                receipt = public_submission_create(
                    token=form.token,
                    kind=data["kind"],
                    field_id=data["field"],
                    hamlet_id=data["hamlet"],
                    title=data["title"],
                    content=data["content"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    email=data["email"],
                    national_id=data["national_id"],
                    address=data["address"],
                    attachments=data["attachments"],
                    consent=data["consent"],
                    ip_address=client_ip(request),
                    base_url=request.build_absolute_uri("/"),
                )
            except ThrottledError as error:
                form.add_error(None, str(error.message))
                status = 429
            except DomainError as error:
                _add_domain_errors(form, error, SUBMISSION_FIELDS)
            else:
                track_link = tracking_url(request, receipt.code)
                return _render(
                    request,
                    "public/receipt.html",
                    {
                        "receipt": receipt,
                        "qr_svg": tracking_qr_svg(request, receipt.code),
                        "track_link": track_link,
                        "receipt_download": "data:text/plain;charset=utf-8,"
                        + quote(_receipt_text(receipt, track_link)),
                    },
                )
        elif form.stamp_expired:
            form.renew_stamp()
        files_lost = bool(request.FILES)
    else:
        form = SubmissionForm(initial={"stamp": issue_stamp()}, **choices)
        files_lost = False
    return _render(
        request,
        "public/submit.html",
        {"form": form, "desk": desk, "files_lost": files_lost},
        status=status,
    )


@require_GET
def privacy(request):
    """The privacy notice the submission form links to."""
    return _render(request, "public/privacy.html", {"desk": public_desk_unit()})


# The blank rating form's fields per language, with ``TOKEN_MARK`` where the
# token goes.  Form widgets render through templates, one each: more work
# than the rest of the page, for markup that differs only by the token.
_blank_rating_fields: dict[str, str] = {}
TOKEN_MARK = "rating-token-mark"  # noqa: S105 - a placeholder, not a secret


def _rating_fields(token: str, rating_form: RatingForm | None = None) -> str:
    """The rating form's fields: ``rating_form`` as the citizen filled it in,
    or the blank form for ``token``."""
    if rating_form is not None:
        return render_to_string(
            "public/_rating_fields.html", {"rating_form": rating_form}
        )
    language = get_language()
    blank = _blank_rating_fields.get(language)
    if blank is None:
        blank = _blank_rating_fields[language] = render_to_string(
            "public/_rating_fields.html",
            {"rating_form": RatingForm(initial={"token": TOKEN_MARK})},
        )
    return mark_safe(blank.replace(TOKEN_MARK, escape(token)))  # noqa: S308


# Reversed URLs, per script prefix and URLconf: a page of results links to
# the same few on every request.
_urls: dict[tuple, str] = {}


def _url(name: str) -> str:
    key = (name, get_script_prefix(), get_urlconf())
    url = _urls.get(key)
    if url is None:
        url = _urls[key] = reverse(name)
    return url


def _day(value) -> str:
    """``value|date:"d/m/Y"`` for a date, without the template filter (it
    costs as much as ten other tags)."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""


def _track_result(
    request, view, *, rating_token="", rating_form=None, message="", status=200
):
    """The page of a case ``view``, with its rating form when ``rating_token``
    allows one."""
    context = {
        "view": view,
        "rating_token": rating_token,
        "message": message,
        "dates": {
            name: _day(getattr(view, name))
            for name in ("received_on", "answer_due_on", "resolved_on", "rated_on")
        },
        "timeline": [(event, _day(event.date)) for event in view.timeline],
        "track_url": _url("public-track"),
    }
    if view.can_rate and rating_token:
        context["rate_url"] = _url("public-rate")
        context["rating_fields"] = _rating_fields(rating_token, rating_form)
    return _render(request, "public/track_result.html", context, status=status)


def _valid_track_form(request, form: TrackForm | None) -> TrackForm:
    """The look-up form of this POST, validated (to show a refusal on it)."""
    if form is None:
        form = TrackForm(request.POST)
        form.is_valid()
    return form


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """Look a case up by code and PIN.  ``?code=`` pre-fills the code (the QR
    code on the receipt opens this).  A wrong PIN and an unknown code get the
    very same page."""
    status = 200
    if request.method == "POST":
        values = TrackForm.plain_values(request.POST)
        form = None
        if values is None:
            form = TrackForm(request.POST)
            if form.is_valid():
                values = form.cleaned_data["code"], form.cleaned_data["pin"]
        if values is not None:
            code, pin = values
            try:
                result = public_case_lookup(
                    code=code, pin=pin, ip_address=client_ip(request)
                )
            except ThrottledError as error:
                form = _valid_track_form(request, form)
                form.add_error(None, str(error.message))
                status = 429
            except (NotFoundError, InvalidInputError) as error:
                form = _valid_track_form(request, form)
                _add_domain_errors(form, error)
            else:
                return _track_result(
                    request, result.case, rating_token=result.rating_token
                )
    else:
        code = normalize_code(request.GET.get("code", ""))[:20]
        form = TrackForm(initial={"code": format_code(code)} if code else None)
    return _render(request, "public/track.html", {"form": form}, status=status)


@never_cache
@require_POST
def rate(request):
    """Record the citizen's rating; the token from the look-up stands in for
    the code and PIN."""
    form = RatingForm(request.POST)
    form.is_valid()
    token = form.cleaned_data.get("token", "")
    try:
        rated = public_rating_submit(
            rating_token=token,
            satisfaction=form.cleaned_data.get("satisfaction", ""),
            comment=form.cleaned_data.get("comment", ""),
        )
    except InvalidInputError as error:
        _add_domain_errors(form, error)
        result = public_case_by_token(rating_token=token)
        return _track_result(
            request, result.case, rating_token=result.rating_token, rating_form=form
        )
    except DomainError as error:
        if error.code == "lookup_expired":
            track_form = TrackForm()
            track_form.add_error(None, str(error.message))
            return _render(request, "public/track.html", {"form": track_form})
        result = public_case_by_token(rating_token=token)
        return _track_result(
            request,
            result.case,
            rating_token=result.rating_token,
            message=str(error.message),
        )
    return _track_result(
        request, rated.case, message=_("Thank you: your rating has been recorded.")
    )


@require_GET
def answers(request):
    """The answers units published, anonymised, filtered and paginated."""
    desk = public_desk_unit()
    form = AnswerFilterForm(
        request.GET,
        field_choices=public_field_codes(),
        hamlet_choices=public_hamlets(desk=desk),
        periods=published_answer_periods(),
    )
    page = published_answer_page(page=request.GET.get("page", 1), **form.filters())
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "public/answers.html",
        {
            "form": form,
            "page": page,
            "query": urlencode([(key, value) for key, value in query.items() if value]),
        },
    )


@require_GET
def scorecard_page(request):
    """Per-unit figures of the last four quarters."""
    return _render(request, "public/scorecard.html", {"scorecard": scorecard()})
