// The User form: staff see when the portal's sign-in throttle holds an account, and unlock it.
frappe.ui.form.on("User", {
	refresh(frm) {
		if (frm.is_new() || !frappe.user.has_role(["System Manager", "Customer Portal Staff"])) return;
		frappe
			.call("customer_portal.api.sign_in.sign_in_status", { user: frm.doc.name })
			.then(({ message: status }) => {
				if (!status || !(status.locked || status.wait_seconds)) return;
				frm.dashboard.set_headline_alert(
					status.locked
						? __("Sign-in is locked after {0} failed attempts.", [status.failures])
						: __("Sign-in must wait {0} s after {1} failed attempts.", [
								status.wait_seconds,
								status.failures,
						  ]),
					"orange"
				);
				frm.add_custom_button(__("Unlock Sign-in"), () =>
					frappe
						.call({
							method: "customer_portal.api.sign_in.staff_unlock",
							args: { user: frm.doc.name },
							freeze: true,
						})
						.then(() => {
							frappe.show_alert({ message: __("Sign-in unlocked"), indicator: "green" });
							frm.reload_doc();
						})
				);
			});
	},
});
