from urllib.parse import quote

import frappe
from frappe import _
from frappe.core.doctype.user.user import get_timezones
from frappe.translate import get_all_languages

from customer_portal.accounts import two_factor
from customer_portal.accounts.api_tokens import my_tokens
from customer_portal.accounts.sessions import my_sessions
from customer_portal.portal.context import load_record, portal_context
from customer_portal.portal.formatting import options
from customer_portal.portal.locale import format_local
from customer_portal.portal.web_forms import ACCOUNT_DETAILS_ROUTE

no_cache = 1


def get_context(context):
	customer = portal_context(context, "/portal/account")
	context.page_title = _("Account")
	if not customer:
		return
	context.doc = load_record("Customer", customer)
	context.can_edit = context.doc.has_permission("write")
	context.edit_url = f"/{ACCOUNT_DETAILS_ROUTE}/{quote(customer, safe='')}/edit"
	context.colleagues = [
		{"name": row.full_name or row.user, "user": row.user, "role": row.portal_role}
		for row in context.doc.portal_users
	]
	context.me = frappe.session.user
	context.sessions = my_sessions()
	for row in context.sessions:
		row.last_seen = format_local(row.last_active)
	context.tokens = my_tokens()
	for row in context.tokens:
		row.expires = frappe.utils.formatdate(row.expires_on) if row.expires_on else ""
		row.last_used = format_local(row.last_used_on)
	context.two_factor_required = two_factor.required_for(frappe.session.user)
	context.two_factor_on = context.two_factor_required or two_factor.chosen_by(frappe.session.user)
	context.data_requested = (
		frappe.form_dict.get("data") if frappe.form_dict.get("data") in ("download", "deactivation") else ""
	)
	# Frappe's own cached list (cleared when a Language changes), as its language picker reads it
	languages = sorted(
		((row.language_code, row.language_name) for row in get_all_languages(with_language_name=True)),
		key=lambda language: (language[1] or "").lower(),
	)
	me = frappe.get_cached_value("User", frappe.session.user, ["language", "time_zone"], as_dict=True)
	context.language_options = options(languages, me.language or frappe.local.lang)
	time_zones = get_timezones().get("timezones", [])
	context.time_zone_options = options(
		((zone, zone) for zone in time_zones), me.time_zone or frappe.utils.get_system_timezone()
	)
