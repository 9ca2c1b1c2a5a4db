app_name = "customer_portal"
app_title = "Customer Portal"
app_publisher = "customer_portal contributors"
app_description = "A secure customer self-service portal for Frappe: orders, invoices, documents, tickets"
app_email = "maintainers@customer-portal.invalid"
app_license = "mit"

export_python_type_annotations = True

# Installation
after_install = "customer_portal.setup.install.after_install"
after_migrate = "customer_portal.setup.install.after_migrate"

# Scoping: one policy (customer_portal/permissions.py) for every customer-owned doctype
_SCOPED_DOCTYPES = ("Customer", "Order", "Invoice", "Document")

permission_query_conditions = {
	doctype: "customer_portal.permissions.get_permission_query_conditions"
	for doctype in (*_SCOPED_DOCTYPES, "File")
}
has_permission = {
	doctype: "customer_portal.permissions.has_permission" for doctype in (*_SCOPED_DOCTYPES, "File")
}
has_website_permission = {
	doctype: "customer_portal.permissions.has_website_permission" for doctype in _SCOPED_DOCTYPES
}

# Another customer's private file answers like a file that does not exist
before_request = ["customer_portal.file_access.guard_private_file_url"]

scheduler_events = {
	"daily": ["customer_portal.customer_portal.doctype.invoice.invoice.mark_overdue_invoices"],
}
