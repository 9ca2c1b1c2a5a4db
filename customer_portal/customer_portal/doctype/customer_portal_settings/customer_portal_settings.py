# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document

from customer_portal.accounts.sign_up import keep_website_settings_in_step
from customer_portal.documents.storage import S3Config, S3Storage, StorageUnavailable
from customer_portal.documents.uploads import parse_kinds

S3_FIELDS = (
	"storage_backend",
	"s3_bucket",
	"s3_region",
	"s3_endpoint_url",
	"s3_access_key_id",
	"s3_secret_access_key",
)
HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


class CustomerPortalSettings(Document):
	def validate(self):
		if self.primary_color and not HEX_COLOUR.match(self.primary_color):
			frappe.throw(
				_("Primary Colour must be a hex colour such as #2563eb, not {0}.").format(self.primary_color),
				title=_("Invalid Colour"),
			)
		if not 5 <= (self.page_size or 0) <= 100:
			frappe.throw(_("Rows per Page must be between 5 and 100."), title=_("Invalid Page Size"))
		if self.upload_max_mb and not 1 <= self.upload_max_mb <= 100:
			frappe.throw(_("Upload Size Limit must be between 1 and 100 MB."), title=_("Invalid Size Limit"))
		if not 0 <= (self.digest_hour or 0) <= 23:
			frappe.throw(_("Digest Hour must be between 0 and 23."), title=_("Invalid Digest Hour"))
		self.validate_sign_in_protection()
		self.validate_sessions()
		self.validate_tickets()
		if self.storage_backend == "S3" and self.has_value_changed_in(S3_FIELDS):
			self.check_bucket()

	def validate_sessions(self):
		for field, low, high in (
			("portal_idle_minutes", 5, 1440),
			("portal_session_hours", 1, 720),
			("remember_me_days", 1, 90),
		):
			if not low <= (self.get(field) or 0) <= high:
				frappe.throw(
					_("{0} must be between {1} and {2}.").format(_(self.meta.get_label(field)), low, high),
					title=_("Invalid Session Policy"),
				)

	def validate_tickets(self):
		if not 0 <= (self.ticket_reopen_days or 0) <= 365:
			frappe.throw(_("Reopen Window must be between 0 and 365 days."), title=_("Invalid Reopen Window"))
		parse_kinds(self.ticket_attachment_types)

	def validate_sign_in_protection(self):
		if not 1 <= (self.invitation_hours or 0) <= 720:
			frappe.throw(
				_("Invitation Link Lifetime must be between 1 and 720 hours."),
				title=_("Invalid Invitation Lifetime"),
			)
		for field in ("login_free_attempts", "login_ip_free_attempts", "login_lock_after"):
			if not 1 <= (self.get(field) or 0) <= 1000:
				frappe.throw(
					_("{0} must be between 1 and 1000.").format(_(self.meta.get_label(field))),
					title=_("Invalid Sign-in Protection"),
				)
		if not 1 <= (self.login_lockout_minutes or 0) <= 24 * 60:
			frappe.throw(
				_("Lockout Minutes must be between 1 and 1440."), title=_("Invalid Sign-in Protection")
			)
		if self.login_lock_after <= self.login_free_attempts:
			frappe.throw(
				_("Lock After must be more than the free attempts per account."),
				title=_("Invalid Sign-in Protection"),
			)

	def on_update(self):
		keep_website_settings_in_step(self)

	def has_value_changed_in(self, fields) -> bool:
		return self.is_new() or any(self.has_value_changed(field) for field in fields)

	def check_bucket(self):
		"""Refuse settings that cannot reach the bucket, before any upload depends on them."""
		secret = self.s3_secret_access_key
		if not secret or set(secret) == {"*"}:
			secret = self.get_password("s3_secret_access_key", raise_exception=False)
		storage = S3Storage(
			S3Config(
				bucket=self.s3_bucket,
				region=self.s3_region,
				endpoint_url=self.s3_endpoint_url,
				access_key_id=self.s3_access_key_id,
				secret_access_key=secret,
				key_prefix=self.s3_key_prefix or "",
			)
		)
		try:
			storage.check_bucket()
		except (StorageUnavailable, frappe.DoesNotExistError) as e:
			frappe.throw(
				_("Could not reach bucket {0}: {1}").format(self.s3_bucket, e), title=_("S3 Not Reachable")
			)
