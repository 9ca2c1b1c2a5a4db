"""Web Forms customers fill in, and the rule that a submission always belongs to the active customer.

Frappe's Web Forms insert and save with `ignore_permissions` and take field values from the browser. For
a Web Form on a customer-owned doctype, the customer is therefore never taken from the browser: it is set
here from the user's active customer, and a submission naming any other customer gets the not-found answer.
The forms are created once, not standard, so admins change fields, labels and help texts in desk.
"""

import json

import frappe
import frappe.website.doctype.web_form.web_form as frappe_web_form

from customer_portal.permissions import CUSTOMER_FIELD, get_active_customer, get_scope, raise_not_found

ACCOUNT_DETAILS = "account-details"
ACCOUNT_DETAILS_ROUTE = "portal/account-details"


@frappe.whitelist(allow_guest=True, methods=["POST"])
def accept(web_form: str, data: str):
	doctype = frappe.db.get_value("Web Form", web_form, "doc_type")
	if doctype in CUSTOMER_FIELD and get_scope(doctype) is not None:
		data = json.dumps(bind_to_active_customer(doctype, frappe.parse_json(data)))
	return frappe_web_form.accept(web_form, data)


def bind_to_active_customer(doctype: str, values: dict) -> dict:
	"""Values with the owning customer set to the active one; naming another customer is not found."""
	active = get_active_customer()
	field = CUSTOMER_FIELD[doctype]
	named = values.get(field)
	if not active or (named and named != active):
		raise_not_found("Customer", named or "")
	return {**values, field: active}


def ensure_web_forms() -> None:
	if frappe.db.exists("Web Form", ACCOUNT_DETAILS):
		return
	frappe.get_doc(
		{
			"doctype": "Web Form",
			"name": ACCOUNT_DETAILS,
			"title": "Account details",
			"route": ACCOUNT_DETAILS_ROUTE,
			"doc_type": "Customer",
			"module": "Customer Portal",
			"is_standard": 0,
			"published": 1,
			"login_required": 1,
			"allow_edit": 1,
			"apply_document_permissions": 1,
			"show_list": 0,
			"success_url": "/portal",
			"button_label": "Save",
			"introduction_text": "Keep your company's contact and billing details up to date. "
			"Customer admins can change them; every portal user of the company sees them.",
			"web_form_fields": [
				{
					"fieldname": "contact_email",
					"fieldtype": "Data",
					"label": "Contact Email",
					"options": "Email",
				},
				{
					"fieldname": "contact_phone",
					"fieldtype": "Data",
					"label": "Contact Phone",
					"options": "Phone",
				},
				{
					"fieldname": "billing_address",
					"fieldtype": "Small Text",
					"label": "Billing Address",
					"description": "Printed on your invoices.",
				},
				{"fieldname": "tax_id", "fieldtype": "Data", "label": "Tax ID"},
			],
		}
	).insert(ignore_permissions=True)
