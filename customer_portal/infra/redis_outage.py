"""Saves that Redis being restarted must not fail: queueing follow-up work is not the save.

Queueing a job only hurries along work a scheduled sweep or a later request does anyway, while the save
it follows is already committed. If Redis cannot be reached (a restart), the job is not queued, a warning
is logged and the request is answered as the save deserves.
"""

from contextlib import contextmanager

import frappe
import redis

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


@contextmanager
def unless_redis_is_down(job: str):
	"""Queue `job` inside the block, or log that it was not queued."""
	try:
		yield
	except REDIS_DOWN:
		frappe.logger("customer_portal").warning(f"{job} not queued: Redis cannot be reached")


def commit_unless_redis_is_down(follow_ups: str) -> None:
	"""Commit the request's writes now. Frappe queues follow-ups of some saves after the commit (a User's
	contact and avatar); when Redis cannot take them, Frappe would raise from its own commit at the end of
	the request, past its error handling, and a committed change would be answered with a bare 500."""
	try:
		frappe.db.commit()
	except REDIS_DOWN:
		frappe.db.after_commit.reset()  # the rest would fail again at the request's own commit
		frappe.logger("customer_portal").warning(f"{follow_ups} not queued: Redis cannot be reached")
