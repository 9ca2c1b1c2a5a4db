"""Transactions that MariaDB may pick as a deadlock victim."""

import random
import time
from contextlib import contextmanager

import frappe
from frappe import _


def retry_on_deadlock(action, attempts: int = 3):
	"""Run `action()` again when MariaDB rolls it back as a deadlock victim. InnoDB undoes the whole
	transaction then, so this is only for work that is the request's first write (Frappe's User.save
	rewrites the user's defaults, and two users saving at once can deadlock on the gaps between them)."""
	for attempt in range(attempts):
		try:
			return action()
		except frappe.QueryDeadlockError:
			frappe.db.rollback()
			if attempt == attempts - 1:
				raise
			time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))


USER_SAVE_LOCK = "customer_portal_user_save"
USER_SAVE_WAIT_SECONDS = 10


class Busy(frappe.ValidationError):
	"""The change waited its turn too long; nothing was changed."""

	http_status_code = 503


@contextmanager
def one_user_save_at_a_time():
	"""Hold a named lock over a portal user's own User save until its commit: Frappe's User.save rewrites a
	site-wide default (`email_user_password`) and the user's own defaults, and saves at once deadlock on
	the gaps between those rows (a load run's settings change was answered 500 after its retries). The
	settings change (the one User save a signed-in customer repeats at will) waits its turn instead;
	`retry_on_deadlock` still covers it against saves that do not take the lock."""
	with named_lock(USER_SAVE_LOCK, USER_SAVE_WAIT_SECONDS) as locked:
		if not locked:
			frappe.throw(
				_("Too many changes are being saved at once. Please try again in a moment."),
				Busy,
				title=_("Please Try Again"),
			)
		yield


@contextmanager
def named_lock(name: str, wait_seconds: int):
	"""A MariaDB named lock held over the block (True), or not had within `wait_seconds` (False). It belongs
	to the connection, not the transaction: commits and rollbacks inside the block keep it."""
	if not frappe.db.sql("select get_lock(%s, %s)", (name, wait_seconds))[0][0]:
		yield False
		return
	try:
		yield True
	finally:
		frappe.db.sql("select release_lock(%s)", name)
