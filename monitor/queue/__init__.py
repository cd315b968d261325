"""Queue mode: Celery workers over RabbitMQ or Redis, sharing one PostgreSQL database.

With ``[queue] broker_url`` set, ``newsmon run`` only schedules (it sends due
feeds in batches, :mod:`monitor.queue.scheduler`) and ``newsmon worker``
processes poll, classify and send digests (:mod:`monitor.queue.tasks`).  The
schedule and what is in flight (:mod:`monitor.queue.dispatch`) live in the
database, not in the broker, so a broker restart loses nothing.  See
``docs/queue.md``.
"""
