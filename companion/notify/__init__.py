"""Web Push: subscriptions, the outbox (reminders and change alerts), deliveries and the worker."""
