"""Keeps a user's portal role and User Permissions in step with the customers they are linked to.

Staff only edit a Customer's `portal_users` table; everything a link implies is derived here from the
stored links, so it is idempotent and can be re-run for any user at any time.
"""

import frappe
from frappe.permissions import add_user_permission

from customer_portal.permissions import (
	PORTAL_ADMIN_ROLE,
	PORTAL_ROLE,
	clear_permitted_customers_cache,
	drop_scoped_shares,
	get_permitted_customers,
	portal_user_rows,
)


def get_links(user: str) -> list[dict]:
	link = frappe.qb.DocType("Customer Portal User")
	customer = frappe.qb.DocType("Customer")
	return (
		frappe.qb.from_(link)
		.join(customer)
		.on(customer.name == link.parent)
		.select(link.parent.as_("customer"), link.portal_role, customer.require_two_factor)
		.where((link.user == user) & portal_user_rows(link))
		.run(as_dict=True)
	)


def implied_access(links: list[dict]) -> tuple[set[str], set[str]]:
	"""What a user's customer links imply: (customers with a User Permission, portal roles)."""
	customers = {link["customer"] for link in links}
	roles = set()
	if links:
		roles.add(PORTAL_ROLE)
	if any(link["portal_role"] == "Customer Admin" for link in links):
		roles.add(PORTAL_ADMIN_ROLE)
	return customers, roles


def sync_user_access(user: str) -> None:
	"""Grant or revoke the portal roles and Customer User Permissions `user` should have."""
	if user in ("Administrator", "Guest") or not frappe.db.exists("User", user):
		return
	customers, wanted = implied_access(get_links(user))

	# User Permissions are system-owned records kept on the user's behalf: the staff member editing a
	# Customer need not be allowed to edit User Permissions directly
	existing = dict(
		frappe.get_all(
			"User Permission",
			filters={"user": user, "allow": "Customer"},
			fields=["for_value", "name"],
			as_list=True,
		)
	)
	for customer in customers - existing.keys():
		add_user_permission("Customer", customer, user, ignore_permissions=True)
	for customer in existing.keys() - customers:
		frappe.delete_doc("User Permission", existing[customer], ignore_permissions=True, force=True)

	_set_portal_roles(user, wanted)
	clear_permitted_customers_cache()
	if get_permitted_customers(user) is not None:
		drop_scoped_shares(user)


def _set_portal_roles(user: str, wanted: set[str]) -> None:
	doc = frappe.get_doc("User", user)
	current = {row.role for row in doc.roles}
	managed = {PORTAL_ROLE, PORTAL_ADMIN_ROLE}
	to_add = wanted - current
	to_remove = (managed - wanted) & current
	if not to_add and not to_remove:
		return
	# the role rows are derived from the customer links above, not granted by the editor's own rights
	doc.flags.ignore_permissions = True
	if to_remove:
		doc.set("roles", [row for row in doc.roles if row.role not in to_remove])
	for role in sorted(to_add):
		doc.append("roles", {"role": role})
	doc.save()
