# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _

from customer_portal.accounts.portal_access import sync_user_access
from customer_portal.accounts.single_sign_on import validate_customer
from customer_portal.permissions import (
	ScopedDocument,
	clear_permitted_customers_cache,
	get_permitted_customers,
)

# printed on invoices: locked for customer users once one is issued (Customer Portal Settings)
INVOICE_DETAILS = ("billing_address", "tax_id")


class Customer(ScopedDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from customer_portal.customer_portal.doctype.customer_portal_user.customer_portal_user import (
			CustomerPortalUser,
		)

		billing_address: DF.SmallText | None
		contact_email: DF.Data | None
		contact_phone: DF.Data | None
		customer_name: DF.Data
		portal_users: DF.Table[CustomerPortalUser]
		sso_domains: DF.SmallText | None
		sso_provider: DF.Link | None
		status: DF.Literal["Active", "On Hold", "Inactive"]
		tax_id: DF.Data | None

	# end: auto-generated types
	def validate(self):
		self.validate_portal_users()
		self.validate_invoice_details_lock()
		validate_customer(self)

	def validate_invoice_details_lock(self):
		"""Customer users cannot change what invoices already issued carry (staff can)."""
		if self.is_new() or get_permitted_customers() is None:
			return
		if not frappe.get_cached_doc("Customer Portal Settings").get("lock_invoice_details"):
			return
		changed = [field for field in INVOICE_DETAILS if self.has_value_changed(field)]
		if changed and frappe.db.exists("Invoice", {"customer": self.name, "docstatus": 1}):
			labels = ", ".join(_(self.meta.get_label(field)) for field in changed)
			frappe.throw(
				_("{0} appear on invoices already issued. Ask your account manager to change them.").format(
					labels
				),
				title=_("Locked After Invoicing"),
			)

	def validate_portal_users(self):
		seen = set()
		for row in self.portal_users:
			if row.user in ("Administrator", "Guest"):
				frappe.throw(
					_("Row #{0}: {1} cannot be a portal user.").format(row.idx, row.user),
					title=_("Invalid User"),
				)
			if row.user in seen:
				frappe.throw(
					_("Row #{0}: {1} is already linked to this customer. Remove the duplicate row.").format(
						row.idx, row.user
					),
					title=_("Duplicate Portal User"),
				)
			seen.add(row.user)

	def on_update(self):
		self.sync_portal_access()

	def on_trash(self):
		# the User Permissions on this customer would block its deletion as links; they go with it
		for name in frappe.get_all(
			"User Permission", filters={"allow": "Customer", "for_value": self.name}, pluck="name"
		):
			frappe.delete_doc("User Permission", name, ignore_permissions=True, force=True)
		self.flags.users_to_sync = {row.user for row in self.portal_users}

	def after_delete(self):
		for user in sorted(self.flags.users_to_sync or ()):
			sync_user_access(user)

	def after_rename(self, old, new, merge=False):
		clear_permitted_customers_cache()

	def sync_portal_access(self):
		before = self.get_doc_before_save()
		users = {row.user for row in self.portal_users}
		if before:
			users |= {row.user for row in before.portal_users}
		if self.has_value_changed("status"):
			clear_permitted_customers_cache()
		for user in sorted(users):
			sync_user_access(user)
