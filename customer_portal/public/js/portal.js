// customer_portal: small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
	for (const select of document.querySelectorAll("select[data-autosubmit]")) {
		select.addEventListener("change", () => select.form.submit());
	}
});
