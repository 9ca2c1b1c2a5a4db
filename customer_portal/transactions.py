"""Transactions that MariaDB may pick as a deadlock victim."""

import random
import time

import frappe


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
