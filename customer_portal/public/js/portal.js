// customer_portal: small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
	for (const select of document.querySelectorAll("select[data-autosubmit]")) {
		select.addEventListener("change", () => select.form.submit());
	}
	for (const form of document.querySelectorAll("form[data-portal-upload], form[data-portal-action]")) {
		enhanceForm(form);
	}
	for (const button of document.querySelectorAll("button[data-confirm]")) {
		button.addEventListener("click", (event) => {
			if (!window.confirm(button.dataset.confirm)) event.preventDefault();
		});
	}
});

// Uploads and actions: send with fetch so a refusal is shown next to the form instead of replacing the
// page; on success the endpoint names the page to show next.
function enhanceForm(form) {
	const error = form.querySelector(".portal-upload-error, .portal-form-error");
	const button = form.querySelector("button[type=submit]");
	const type = form.querySelector("[data-upload-type]");
	if (type) {
		type.addEventListener("change", () => {
			const option = type.selectedOptions[0];
			form.querySelector("input[type=file]").accept = option.dataset.accept;
			form.querySelector("[data-upload-help]").textContent = option.dataset.help;
		});
	}
	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		error.hidden = true;
		button.disabled = true;
		try {
			const response = await fetch(form.action, {
				method: "POST",
				body: new FormData(form),
				headers: { Accept: "application/json" },
				credentials: "same-origin",
			});
			const data = await response.json().catch(() => ({}));
			if (response.ok) {
				const reveal = form.querySelector("[data-reveal]");
				if (reveal && data.message && data.message.reveal) {
					// a secret shown once (an API token): as text, never as HTML
					reveal.querySelector("code").textContent = data.message.reveal;
					reveal.hidden = false;
					button.disabled = false;
					form.reset();
					return;
				}
				if (data.message && data.message.url) window.location.assign(data.message.url);
				else window.location.reload();
				return;
			}
			error.textContent = serverMessage(data) || form.dataset.failed;
		} catch (e) {
			error.textContent = form.dataset.offline;
		}
		error.hidden = false;
		button.disabled = false;
	});
}

function serverMessage(data) {
	try {
		const messages = JSON.parse(data._server_messages || "[]").map((m) => JSON.parse(m).message);
		// messages are shown with textContent, never as HTML
		return messages.join(" ");
	} catch (e) {
		return "";
	}
}
