"""A customer's portal users, as its customer admins manage them on `/portal/users` (and staff in desk).

Every change is made through the scoping policy inside a write window for Customer, so a member (or an
admin of another customer) gets the not-found answer, and REST writes to `portal_users` stay refused. A
customer always keeps at least one admin.
"""

import frappe
from frappe import _
from frappe.sessions import clear_sessions

from customer_portal.accounts.invitations import can_invite
from customer_portal.activity.log import record
from customer_portal.permissions import (
	get_permitted_customers,
	portal_user_rows,
	portal_write,
	raise_not_found,
)

ADMIN = "Customer Admin"
ROLES = ("Member", ADMIN)


def require_admin(customer: str) -> None:
	if not customer or not can_invite(customer):
		raise_not_found("Customer", customer)


def members(customer: str) -> list[dict]:
	"""The customer's portal users with their role and last sign-in, in one query."""
	link = frappe.qb.DocType("Customer Portal User")
	user = frappe.qb.DocType("User")
	return (
		frappe.qb.from_(link)
		.join(user)
		.on(user.name == link.user)
		.select(link.user, link.portal_role, user.full_name, user.last_login, user.enabled)
		.where((link.parent == customer) & portal_user_rows(link))
		.orderby(user.full_name)
		.run(as_dict=True)
	)


def _row(doc, user: str):
	row = next((row for row in doc.portal_users if row.user == user), None)
	if row is None:
		raise_not_found("User", user)
	return row


def _keeps_an_admin(doc) -> None:
	if not any(row.portal_role == ADMIN for row in doc.portal_users):
		frappe.throw(
			_("{0} must keep at least one customer admin. Make someone else an admin first.").format(
				doc.customer_name
			),
			title=_("Last Admin"),
		)


def set_role(customer: str, user: str, portal_role: str) -> None:
	require_admin(customer)
	if portal_role not in ROLES:
		frappe.throw(_("Choose Member or Customer Admin."), title=_("Invalid Role"))
	with portal_write("Customer"):
		doc = frappe.get_doc("Customer", customer)
		row = _row(doc, user)
		before = row.portal_role
		if before == portal_role:
			return
		row.portal_role = portal_role
		_keeps_an_admin(doc)
		doc.save()
	record(
		"User Management",
		"User",
		user,
		details={"role": [before, portal_role]},
		customer=customer,
	)


def remove(customer: str, user: str) -> None:
	"""Take the user's access to this customer away; with no customer left, their sessions end too."""
	require_admin(customer)
	with portal_write("Customer"):
		doc = frappe.get_doc("Customer", customer)
		row = _row(doc, user)
		doc.remove(row)
		_keeps_an_admin(doc)
		doc.save()
	if not get_permitted_customers(user):
		clear_sessions(user, force=True)
	record("User Management", "User", user, details={"removed": row.portal_role}, customer=customer)
