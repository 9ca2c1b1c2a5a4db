"""Invitations and a customer's portal users: the endpoints behind `/portal/users`, the invitation page
and the Customer form (`accounts/invitations.py`, `accounts/members.py` hold the rules)."""

import frappe
from frappe.rate_limiter import rate_limit

from customer_portal.accounts import invitations, members, two_factor
from customer_portal.permissions import get_active_customer, portal_write

USERS_PAGE = "/portal/users"


def _customer(customer: str | None) -> str:
	"""The customer acted on: the one named (staff, desk), else the portal's active customer."""
	return customer or get_active_customer() or ""


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=30, seconds=60 * 60)
def invite(email: str, portal_role: str = "Member", customer: str | None = None) -> dict:
	doc = invitations.invite(_customer(customer), email, portal_role)
	return {"name": doc.name, "url": f"{USERS_PAGE}?done=invited"}


@frappe.whitelist(methods=["POST"])
def revoke_invitation(name: str) -> dict:
	with portal_write("Portal Invitation"):
		doc = frappe.get_doc("Portal Invitation", name)  # another customer's: not found
		members.require_admin(doc.customer)
		doc.revoke()
	return {"url": f"{USERS_PAGE}?done=revoked"}


@frappe.whitelist(methods=["POST"])
def set_role(user: str, portal_role: str, customer: str | None = None) -> dict:
	members.set_role(_customer(customer), user, portal_role)
	return {"url": f"{USERS_PAGE}?done=changed"}


@frappe.whitelist(methods=["POST"])
def remove_user(user: str, customer: str | None = None) -> dict:
	members.remove(_customer(customer), user)
	return {"url": f"{USERS_PAGE}?done=removed"}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=10, seconds=60 * 10)
def accept_invitation(token: str, full_name: str | None = None, new_password: str | None = None) -> dict:
	invitations.accept(token, full_name, new_password)
	return {"url": "/portal"}


@frappe.whitelist(methods=["POST"])
def require_two_factor(required: int | str, customer: str | None = None) -> dict:
	two_factor.require_for_customer(_customer(customer), bool(int(required)))
	return {"url": f"{USERS_PAGE}?done=two-factor"}
