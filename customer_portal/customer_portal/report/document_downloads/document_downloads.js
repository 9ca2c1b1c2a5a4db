// Copyright (c) 2026, customer_portal contributors
// For license information, please see license.txt

frappe.query_reports["Document Downloads"] = {
	filters: [
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "document", label: __("Document"), fieldtype: "Link", options: "Document" },
		{ fieldname: "user", label: __("User"), fieldtype: "Link", options: "User" },
		{ fieldname: "from_date", label: __("From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To"), fieldtype: "Date" },
		{
			fieldname: "event",
			label: __("Event"),
			fieldtype: "Select",
			options: "Download\nDownload Link\nUpload",
			default: "Download",
		},
		{ fieldname: "outcome", label: __("Outcome"), fieldtype: "Select", options: "\nAllowed\nRefused" },
	],
};
