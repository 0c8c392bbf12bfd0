"""Web Push: subscriptions, the outbox (reminders and change alerts), deliveries and the worker.

Its URLs, and the module that answers each (`companion/notify/<module>.py`):

| URL                                  | endpoint           | module |
|--------------------------------------|--------------------|--------|
| GET    /api/v1/push/key              | notify.public_key  | views  |
| POST   /api/v1/me/push-subscriptions | notify.subscribe   | views  |
| DELETE /api/v1/me/push-subscriptions | notify.unsubscribe | views  |
| GET    /<conf>/admin/notifications/  | notify.health      | views  |
| GET    /<conf>/my/alerts/            | notify.my_alerts   | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The VAPID key, the subscription endpoints and the delivery-health page, the listener that
    writes change alerts in the edit's own transaction, and a guest's devices joining an account."""
    from companion import db
    from companion.accounts.operations import add_merge_step, add_reclaim_step
    from companion.notify import outbox, vapid
    from companion.notify.operations import drop_subscriptions, move_subscriptions
    from companion.notify.views import bp

    vapid.init_app(app)
    app.register_blueprint(bp)
    db.listen("before_flush", outbox.before_flush)
    add_merge_step(app, move_subscriptions)
    add_reclaim_step(app, drop_subscriptions)
