// Copyright (c) 2026, customer_portal contributors
// For license information, please see license.txt

// The ticket's thread (customer messages, staff replies, internal notes) and the Reply / Internal Note
// buttons. Message text is shown as text, never as HTML.
frappe.ui.form.on("Support Ticket", {
	refresh(frm) {
		if (frm.is_new()) return;
		render_thread(frm);
		frm.add_custom_button(__("Reply"), () => write(frm, 0));
		frm.add_custom_button(__("Internal Note"), () => write(frm, 1));
	},
});

function render_thread(frm, messages) {
	const field = frm.get_field("thread_html");
	const draw = (rows) => {
		const list = $('<div class="cp-thread"></div>');
		for (const row of rows) {
			const item = $('<div class="cp-thread-message" style="border:1px solid var(--border-color);border-radius:8px;padding:10px 12px;margin-bottom:10px"></div>');
			if (row.internal) item.css({ background: "var(--yellow-50, #fffbeb)" });
			const head = $('<div class="text-muted small" style="margin-bottom:6px"></div>');
			head.text(
				[
					row.author_name,
					row.from_customer ? __("Customer") : row.internal ? __("Internal note") : __("Support"),
					frappe.datetime.str_to_user(row.creation),
				].join(" · ")
			);
			const body = $('<div style="white-space:pre-wrap"></div>').text(row.message);
			item.append(head, body);
			for (const file of row.files || []) {
				item.append($('<div class="small"></div>').append($("<a></a>").attr("href", file.file_url).text(file.file_name)));
			}
			list.append(item);
		}
		if (!rows.length) list.text(__("No messages yet."));
		field.$wrapper.empty().append(list);
	};
	if (messages) return draw(messages);
	frappe
		.call({ method: "customer_portal.api.tickets.thread", args: { ticket: frm.doc.name }, type: "GET" })
		.then((r) => draw(r.message || []));
}

function write(frm, internal) {
	const dialog = new frappe.ui.Dialog({
		title: internal ? __("Internal Note (staff only)") : __("Reply to the customer"),
		fields: [{ fieldname: "message", fieldtype: "Long Text", label: __("Message"), reqd: 1 }],
		primary_action_label: internal ? __("Add Note") : __("Send Reply"),
		primary_action(values) {
			frappe
				.call({
					method: "customer_portal.api.tickets.staff_reply",
					args: { ticket: frm.doc.name, message: values.message, internal },
					freeze: true,
				})
				.then((r) => {
					dialog.hide();
					frm.reload_doc();
					render_thread(frm, r.message || []);
				});
		},
	});
	dialog.show();
}
