"""What the least-privilege suites share: the three kinds of restricted user, how an answer is judged, and
the tables whose rows move on their own while the suite runs."""

import time

from portal_client import PortalClient, make_portal_user, site_connection

# rows that refusals themselves add (the activity log keeps each "Access Denied") or that the test
# server's own work writes meanwhile (sessions, emails, jobs)
MOVING = frozenset(
	{
		"Access Log",
		"Activity Log",
		"Error Log",
		"Route History",
		"Scheduled Job Log",
		"Email Queue",
		"Email Queue Recipient",
		"Version",
		"Deleted Document",
		"Submission Queue",
		"Notification Log",
		"Integration Request",
		"Webhook Request Log",
		"Unhandled Email",
		"Prepared Report",
		"Data Import Log",
		"Portal Activity",
	}
)

# audit tables that keep every refused attempt by design: the refusals are not counted
REFUSALS_KEPT = {"Document Access Log": {"outcome": "Refused"}}
# what a user may ask for about themselves, through Frappe's public website: doctype -> the user field
SELF_SERVICE = {"Personal Data Download Request": "user", "Personal Data Deletion Request": "email"}
# and what Frappe's background job attaches to such a request (the data file, its timeline entry):
# doctype -> the field naming the doctype a row is attached to
ON_SELF_SERVICE = {"File": "attached_to_doctype", "Comment": "reference_doctype"}


def restricted_users(prefix: str) -> dict[str, str]:
	"""A customer admin and a member of Acme Logistics, and a website user linked to no customer; returned
	once Frappe's background job has made each one's Contact, which would otherwise land mid-count."""
	users = {
		"customer admin": make_portal_user(f"{prefix}-admin", role="Customer Admin"),
		"member": make_portal_user(f"{prefix}-member"),
		"unlinked": make_portal_user(f"{prefix}-unlinked", customer=None),
	}
	deadline = time.monotonic() + 60
	while time.monotonic() < deadline:
		with site_connection() as frappe:
			made = frappe.db.count("Contact", {"email_id": ("in", list(users.values()))})
		if made >= len(users):
			break
		time.sleep(0.5)
	return users


def signed_in(users: dict[str, str]) -> dict[str, PortalClient]:
	return {kind: PortalClient(user) for kind, user in users.items()}


def empty(response) -> bool:
	"""An answer that shows no row: a refusal, not found, or an empty list or count."""
	if response.status_code in (401, 403, 404):
		return True
	if response.status_code != 200:
		return False
	try:
		body = response.json()
	except ValueError:
		return False
	value = body.get("data", body.get("message"))
	if isinstance(value, dict):  # reportview.get
		value = value.get("values")
	return value in ([], 0, None, {}, "")


def refused(response) -> bool:
	"""A write that did not happen: any answer but success (row counts are checked as well)."""
	return response.status_code >= 400 and response.status_code < 500


def row_counts(doctypes, users=()) -> dict[str, int]:
	"""Rows per table of `doctypes` (single and virtual doctypes, and the tables that move on their own, left
	out)."""
	with site_connection() as frappe:
		tableless = set(frappe.get_all("DocType", or_filters={"issingle": 1, "is_virtual": 1}, pluck="name"))
		counts = {}
		for name in doctypes:
			if name in tableless or name in MOVING:
				continue
			left_out = uncounted(name, users)
			counts[name] = frappe.db.count(name) - (frappe.db.count(name, left_out) if left_out else 0)
		return counts


def uncounted(doctype: str, users) -> dict | None:
	"""The filter of the rows of `doctype` that do not count (as a positive filter: a NULL field compares
	as nothing in SQL, so a negated one would hide rows): an audit's refusals, a user's requests about
	themselves and what Frappe's jobs attach to those."""
	if doctype in REFUSALS_KEPT:
		return REFUSALS_KEPT[doctype]
	if doctype in SELF_SERVICE:
		return {SELF_SERVICE[doctype]: ("in", list(users) or [""])}
	if doctype in ON_SELF_SERVICE:
		return {ON_SELF_SERVICE[doctype]: ("in", list(SELF_SERVICE))}
	return None


def changed_counts(before: dict, after: dict) -> dict:
	return {name: (count, after.get(name)) for name, count in before.items() if after.get(name) != count}
