"""Register, sign in and out, settings, one-time device links, and password links by email."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response as BaseResponse

from companion import clock
from companion.accounts import operations, passwords, queries
from companion.accounts.login import sign_in
from companion.accounts.mails import reset_mail
from companion.accounts.models import PasswordTokenPurpose, User
from companion.accounts.operations import FieldError, LockedOut
from companion.db import after_commit, session
from companion.mail import send
from companion.parsing import small_int
from companion.programme.models import Conference
from companion.programme.queries import current_conference
from companion.web import private, safe_next

bp = Blueprint("accounts", __name__)
bp.after_request(private)

Page = BaseResponse | str | tuple[str, int] | tuple[str, int, dict[str, str]]


def _me() -> User | None:
    return current_user if current_user.is_authenticated else None


def _current() -> Conference | None:
    """The conference whose navigation frames the account pages."""
    return current_conference(clock.now(), current_app.config["DEFAULT_CONFERENCE"])


def _after_sign_in() -> str:
    """Where to go once signed in: the person's schedule, where the welcome message shows."""
    conference = _current()
    if conference is None:
        return url_for("programme.index")
    return url_for("agenda.my_schedule", conf=conference.slug)


@bp.route("/register", methods=["GET", "POST"])
def register() -> Page:
    """Create an account; a guest keeps everything starred so far (same row, upgraded)."""
    me = _me()
    if me is not None and not me.is_guest:
        return redirect(url_for("accounts.settings"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        try:
            if form.get("password", "") != form.get("confirm", ""):
                raise FieldError("confirm", "The two passwords are not the same.")
            user = operations.register(
                me,
                email=form.get("email", ""),
                password=form.get("password", ""),
                name=form.get("name", ""),
            )
        except FieldError as error:
            session.rollback()
            errors[error.field] = error.message
        else:
            sign_in(user, remember=True)
            flash("Welcome! Your schedule is now saved to your account.", "success")
            return redirect(safe_next(form.get("next"), _after_sign_in()))
    status = 422 if errors else 200
    return render_template(
        "accounts/register.html",
        errors=errors,
        form=request.form,
        guest=me is not None,
        conf=_current(),
    ), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    """Sign in; a guest's stars on this device are merged into the account."""
    errors: dict[str, str] = {}
    headers: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = request.form
        guest = _me()
        try:
            user = operations.authenticate(
                form.get("email", ""),
                form.get("password", ""),
                address=request.remote_addr or "unknown",
                now=clock.now(),
            )
            if guest is not None and guest.is_guest:
                operations.merge_guest(guest, user)
        except LockedOut as error:
            session.rollback()
            errors["form"], status = error.message, 429
            wait = max(1, int((error.until - clock.now()).total_seconds()) + 1)
            headers["Retry-After"] = str(wait)
        except FieldError as error:
            session.rollback()
            errors[error.field], status = error.message, 422
        else:
            sign_in(user, remember=bool(form.get("remember")))
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(safe_next(form.get("next"), _after_sign_in()))
    return (
        render_template(
            "accounts/login.html",
            errors=errors,
            form=request.form,
            next=request.values.get("next", ""),
            conf=_current(),
        ),
        status,
        headers,
    )


@bp.post("/logout")
def logout() -> BaseResponse:
    """Sign this device out (guests are not offered this: they would lose their schedule)."""
    me = _me()
    if me is not None:
        operations.end_session(me)
    logout_user()
    flash("You are signed out on this device.", "info")
    return redirect(url_for("programme.index"))


@bp.route("/settings/", methods=["GET", "POST"])
@login_required
def settings() -> Page:
    """Name, reminder lead time, and password."""
    me: User = current_user
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        try:
            if form.get("form") == "password":
                if form.get("new_password", "") != form.get("confirm", ""):
                    raise FieldError("confirm", "The two passwords are not the same.")
                operations.change_password(
                    me, current=form.get("current_password", ""), new=form.get("new_password", "")
                )
                message = "Password changed. Other devices are signed out."
            else:
                minutes = small_int(form.get("reminder_minutes", ""))
                if minutes is None:
                    raise FieldError("reminder_minutes", "Choose between 0 and 60 minutes.")
                operations.update_settings(
                    me,
                    name=form.get("name", ""),
                    reminder_minutes=minutes,
                    reminders=bool(form.get("reminders_enabled")),
                    changes=bool(form.get("changes_enabled")),
                )
                message = "Settings saved."
        except FieldError as error:
            session.rollback()
            errors[error.field] = error.message
        else:
            if form.get("form") == "password":
                sign_in(me, remember=True)
            flash(message, "success")
            return redirect(url_for("accounts.settings"))
    return render_template(
        "accounts/settings.html",
        feed_url=queries.feed_url(me.id),
        me=me,
        errors=errors,
        form=request.form,
        conf=_current(),
    ), 422 if errors else 200


@bp.post("/settings/calendar-feed")
@login_required
def calendar_feed() -> Page:
    """Turn the private calendar feed on, give it a new address (the old one stops working), or
    turn it off."""
    me: User = current_user
    action = request.form.get("action", "enable")
    back = safe_next(request.form.get("next"), url_for("accounts.settings"))
    if action in ("revoke", "replace") and not request.form.get("confirm"):
        # Both stop the current address at once, and with it every calendar subscribed to it:
        # ask first (422: nothing was changed), in a page that works without JavaScript.
        return render_template(
            "accounts/confirm_feed.html", action=action, back=back, conf=_current()
        ), 422
    if action == "revoke":
        operations.revoke_feed_token(me)
        message = "Your calendar feed is turned off; its address no longer works."
    elif action == "replace":
        operations.replace_feed_token(me)
        message = "Your calendar feed has a new address. Subscribe to it again."
    else:
        operations.ensure_feed_token(me)
        message = "Your calendar feed is ready: subscribe to it below."
    flash(message, "success")
    return redirect(back)


@bp.route("/link/<token>", methods=["GET", "POST"])
def device_link(token: str) -> Page:
    """Open a schedule on this device with a one-time link (GET only asks, so that link
    previews in chat apps cannot use it up)."""
    if request.method != "POST":  # GET and HEAD only show the page
        return render_template("accounts/device_link.html", token=token, conf=_current())
    user = operations.redeem_device_link(token, now=clock.now())
    guest = _me()
    if guest is not None and guest.is_guest and guest.id != user.id:
        operations.merge_guest(guest, user)
    sign_in(user, remember=True)
    flash("This device now shows the same schedule.", "success")
    return redirect(_after_sign_in())


@bp.route("/password-reset/", methods=["GET", "POST"])
def forgot_password() -> Page:
    """Ask for a password link by email. The answer is the same whether or not the email has an
    account (nobody learns who is registered); a mail goes out only when it has."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        email = request.form.get("email", "")
        try:
            found = passwords.request_reset(
                email, address=request.remote_addr or "unknown", now=clock.now()
            )
        except FieldError as error:
            session.rollback()
            errors[error.field] = error.message
        else:
            if found is not None:
                # After the commit, so that the link works once it arrives; MailNotSent (503,
                # "try again in a few minutes") then becomes the answer.
                mail = reset_mail(*found)
                after_commit(lambda: send(mail))
            return render_template(
                "accounts/password_sent.html",
                email=operations.normalise_email(email),
                minutes=int(passwords.RESET_TTL.total_seconds() // 60),
                conf=_current(),
            )
    return _forgot_page(errors), 422 if errors else 200


def _forgot_page(errors: dict[str, str]) -> str:
    return render_template(
        "accounts/forgot_password.html", errors=errors, form=request.form, conf=_current()
    )


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Page:
    """Choose a password with a link from a mail (a reset or an invitation). GET only shows the
    form, so a mail client's link preview cannot use the link up; a used or expired link
    answers 410 at once."""
    link, user = passwords.link_of(token, now=clock.now())
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        try:
            if form.get("password", "") != form.get("confirm", ""):
                raise FieldError("confirm", "The two passwords are not the same.")
            user = passwords.set_password(token, form.get("password", ""), now=clock.now())
            here = _me()
            if here is not None and here.id != user.id:
                if here.is_guest:
                    operations.merge_guest(here, user)
                else:
                    operations.end_session(here)  # someone else was signed in on this device
        except FieldError as error:
            session.rollback()
            errors[error.field] = error.message
        else:
            sign_in(user, remember=True)
            flash(
                "Your password is set and you are signed in. Other devices are signed out.",
                "success",
            )
            return redirect(_after_sign_in())
    return render_template(
        "accounts/reset_password.html",
        email=user.email,
        invitation=link.purpose == PasswordTokenPurpose.INVITATION,
        errors=errors,
        conf=_current(),
    ), 422 if errors else 200
