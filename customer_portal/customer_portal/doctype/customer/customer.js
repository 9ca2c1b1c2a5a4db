// Copyright (c) 2026, customer_portal contributors
// For license information, please see license.txt

// The customer's portal activity, drawn as a timeline and filtered by person and action.
frappe.ui.form.on("Customer", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Invite to Portal"), () => invite_to_portal(frm));
		const wrapper = frm.get_field("activity_timeline").$wrapper;
		wrapper.html(`
			<div class="cp-activity">
				<div class="cp-activity-filters" style="display:flex;gap:8px;margin-bottom:12px;"></div>
				<div class="cp-activity-list"></div>
				<button class="btn btn-xs btn-default cp-activity-more" style="display:none;margin-top:8px;">${__("Older")}</button>
			</div>`);
		const filters = wrapper.find(".cp-activity-filters");
		const people = (frm.doc.portal_users || []).map((row) => row.user);
		const user = $(`<select class="form-control input-xs" style="max-width:240px"></select>`)
			.append($("<option>").val("").text(__("Everyone")))
			.append(people.map((name) => $("<option>").val(name).text(name)));
		const action = $(`<select class="form-control input-xs" style="max-width:200px"></select>`).append(
			$("<option>").val("").text(__("All actions"))
		);
		filters.append(user, action);
		let last = null;

		const load = (append) => {
			frappe
				.call({
					method: "customer_portal.api.activity.customer_activity",
					type: "GET",
					args: { customer: frm.doc.name, user: user.val(), action: action.val(), before: append ? last : null },
				})
				.then(({ message }) => {
					if (action.children().length === 1) {
						action.append(message.actions.map((name) => $("<option>").val(name).text(__(name))));
					}
					const list = wrapper.find(".cp-activity-list");
					if (!append) list.empty();
					if (!message.rows.length && !append) {
						list.append($("<p class='text-muted'>").text(__("No portal activity yet.")));
					}
					for (const row of message.rows) {
						list.append(render(row));
						last = row.name;
					}
					wrapper.find(".cp-activity-more").toggle(message.more);
				});
		};

		const render = (row) => {
			// every value goes in as text: nothing a customer typed is ever parsed as HTML
			const item = $(`<div style="display:flex;gap:12px;padding:6px 0;border-left:2px solid var(--border-color);margin-left:6px;padding-left:14px;position:relative;">
				<span style="position:absolute;left:-6px;top:12px;width:10px;height:10px;border-radius:50%;"></span>
				<div style="min-width:150px;color:var(--text-muted);"></div>
				<div style="flex:1"><strong></strong> <span class="cp-who"></span> <span class="cp-what text-muted"></span>
				<div class="cp-details small text-muted"></div></div></div>`);
			const denied = ["Access Denied", "Failed Login"].includes(row.action);
			item.find("span").first().css("background", denied ? "var(--red-500)" : "var(--blue-500)");
			item.children("div").first().text(frappe.datetime.str_to_user(row.creation));
			item.find("strong").text(__(row.action));
			item.find(".cp-who").text(row.user || "");
			item.find(".cp-what").text(row.reference_name ? `${__(row.reference_doctype || "")} ${row.reference_name}` : "");
			const details = row.details ? JSON.parse(row.details) : null;
			if (details && row.action === "Settings Change") {
				item.find(".cp-details").text(
					Object.entries(details).map(([field, [before, after]]) => `${field}: ${before || ""} → ${after || ""}`).join("; ")
				);
			}
			if (row.ip_address) item.find(".cp-details").append($("<div>").text(row.ip_address));
			return item;
		};

		user.on("change", () => load(false));
		action.on("change", () => load(false));
		wrapper.find(".cp-activity-more").on("click", () => load(true));
		load(false);
	},
});

// An invitation email with a single-use link (accounts/invitations.py); the contact chooses a password.
function invite_to_portal(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Invite to {0}", [frm.doc.customer_name]),
		fields: [
			{ fieldname: "email", fieldtype: "Data", options: "Email", label: __("Email"), reqd: 1 },
			{
				fieldname: "portal_role",
				fieldtype: "Select",
				options: "Member\nCustomer Admin",
				default: "Member",
				label: __("Portal Role"),
			},
		],
		primary_action_label: __("Send Invitation"),
		primary_action(values) {
			frappe
				.call({
					method: "customer_portal.api.users.invite",
					args: { ...values, customer: frm.doc.name },
					freeze: true,
				})
				.then(() => {
					dialog.hide();
					frappe.show_alert({ message: __("Invitation sent"), indicator: "green" });
				});
		},
	});
	dialog.show();
}
