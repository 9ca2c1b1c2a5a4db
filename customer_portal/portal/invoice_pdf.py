"""Invoice PDFs through a Frappe Print Format that admins edit in desk (Customer Portal Settings picks it)."""

import frappe

DEFAULT_PRINT_FORMAT = "Customer Portal Invoice"

TEMPLATE = """{%- set settings = frappe.get_cached_doc("Customer Portal Settings") -%}
<div class="cp-invoice">
	<table style="width: 100%; margin-bottom: 24px;">
		<tr>
			<td>
				{%- if settings.logo %}<img src="{{ settings.logo | e }}" style="max-height: 48px;"><br>{% endif -%}
				<strong style="font-size: 18px;">{{ (settings.portal_name or "") | e }}</strong>
			</td>
			<td style="text-align: right;">
				<div style="font-size: 22px; font-weight: bold;">{{ _("Invoice") }} {{ doc.name | e }}</div>
				<div>{{ _(doc.status) | e }}</div>
			</td>
		</tr>
	</table>
	<table style="width: 100%; margin-bottom: 24px;">
		<tr>
			<td style="vertical-align: top;">
				<div style="color: #666;">{{ _("Bill to") }}</div>
				<strong>{{ (doc.customer_name or doc.customer) | e }}</strong><br>
				{%- set customer = frappe.get_cached_doc("Customer", doc.customer) %}
				{%- for line in (customer.billing_address or "").splitlines() %}{{ line | e }}<br>{% endfor %}
				{%- if customer.tax_id %}{{ _("Tax ID") }}: {{ customer.tax_id | e }}{% endif %}
			</td>
			<td style="vertical-align: top; text-align: right;">
				{{ _("Invoice date") }}: {{ frappe.utils.format_date(doc.posting_date) | e }}<br>
				{{ _("Due date") }}: {{ frappe.utils.format_date(doc.due_date) | e }}<br>
				{%- if doc.order %}{{ _("Order") }}: {{ doc.order | e }}{% endif %}
			</td>
		</tr>
	</table>
	<table class="table table-bordered" style="width: 100%;">
		<thead>
			<tr><th>{{ _("Item") }}</th><th style="text-align: right;">{{ _("Quantity") }}</th>
			<th style="text-align: right;">{{ _("Rate") }}</th><th style="text-align: right;">{{ _("Amount") }}</th></tr>
		</thead>
		<tbody>
		{%- for item in doc.items %}
			<tr>
				<td>{{ item.item_name | e }}{% if item.description %}<br><small>{{ item.description | e }}</small>{% endif %}</td>
				<td style="text-align: right;">{{ item.get_formatted("qty") | e }}</td>
				<td style="text-align: right;">{{ item.get_formatted("rate") | e }}</td>
				<td style="text-align: right;">{{ item.get_formatted("amount") | e }}</td>
			</tr>
		{%- endfor %}
		</tbody>
	</table>
	<table style="width: 50%; margin-left: 50%;">
		<tr><td>{{ _("Total") }}</td><td style="text-align: right;">{{ doc.get_formatted("total") | e }}</td></tr>
		<tr><td>{{ _("Paid") }}</td><td style="text-align: right;">{{ doc.get_formatted("paid_amount") | e }}</td></tr>
		<tr><td><strong>{{ _("Outstanding") }}</strong></td><td style="text-align: right;"><strong>{{ doc.get_formatted("outstanding_amount") | e }}</strong></td></tr>
	</table>
</div>
"""


def ensure_print_format() -> None:
	"""Create the default invoice print format once; after that it belongs to the admins who edit it."""
	if not frappe.db.exists("Print Format", DEFAULT_PRINT_FORMAT):
		frappe.get_doc(
			{
				"doctype": "Print Format",
				"name": DEFAULT_PRINT_FORMAT,
				"doc_type": "Invoice",
				"module": "Customer Portal",
				"standard": "No",
				"custom_format": 1,
				"print_format_type": "Jinja",
				"html": TEMPLATE,
			}
		).insert(ignore_permissions=True)
	if not frappe.db.get_single_value("Customer Portal Settings", "invoice_print_format"):
		frappe.db.set_single_value("Customer Portal Settings", "invoice_print_format", DEFAULT_PRINT_FORMAT)


def invoice_pdf(invoice) -> bytes:
	print_format = (
		frappe.db.get_single_value("Customer Portal Settings", "invoice_print_format") or DEFAULT_PRINT_FORMAT
	)
	return frappe.get_print("Invoice", invoice.name, print_format=print_format, doc=invoice, as_pdf=True)
