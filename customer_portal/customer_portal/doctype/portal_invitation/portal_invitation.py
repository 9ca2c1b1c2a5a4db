# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.utils import now_datetime, validate_email_address

from customer_portal.accounts.invitations import prepare, send
from customer_portal.permissions import ScopedDocument

# what an invitation is about; once sent, only its status moves (revoke it and invite again instead)
FIXED_FIELDS = ("customer", "email", "portal_role", "token_hash", "expires_on", "invited_by")


class PortalInvitation(ScopedDocument):
	def validate(self):
		self.email = (self.email or "").strip().lower()
		validate_email_address(self.email, throw=True)
		if not self.is_new() and any(self.has_value_changed(field) for field in FIXED_FIELDS):
			frappe.throw(
				_("An invitation cannot be changed once sent. Revoke it and send a new one."),
				title=_("Invitation Sent"),
			)

	def before_insert(self):
		prepare(self)

	def after_insert(self):
		send(self)

	@property
	def is_open(self) -> bool:
		return self.status == "Pending" and self.expires_on and self.expires_on > now_datetime()

	def revoke(self):
		if self.status != "Pending":
			frappe.throw(_("Only a pending invitation can be revoked."), title=_("Not Pending"))
		self.status = "Revoked"
		self.closed_on = now_datetime()
		self.save()
