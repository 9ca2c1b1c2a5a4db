// Frappe's login page, two additions:
// - "Remember me": the choice travels as a short-lived cookie that the portal's session policy reads when
//   the session starts (accounts/sessions.py); unticked, the session ends with the browser.
// - "Sign in with single sign-on", when some customer signs in through its own identity provider
//   (accounts/single_sign_on.py).
document.addEventListener("DOMContentLoaded", () => {
	if (window.location.pathname !== "/login") return;
	const password = document.querySelector("#login_password");
	if (!password || document.querySelector("#cp-remember-me")) return;
	const translate = (text) => (typeof __ === "function" ? __(text) : text);

	const label = document.createElement("label");
	label.className = "form-group cp-remember-me";
	label.style.display = "flex";
	label.style.gap = "6px";
	label.style.alignItems = "center";
	const box = document.createElement("input");
	box.type = "checkbox";
	box.id = "cp-remember-me";
	const remember = (on) => {
		document.cookie = on
			? "cp_remember_me=1; path=/; max-age=600; SameSite=Lax"
			: "cp_remember_me=; path=/; max-age=0; SameSite=Lax";
	};
	box.addEventListener("change", () => remember(box.checked));
	remember(false);
	label.append(box, document.createTextNode(" " + translate("Remember me on this device")));
	const group = password.closest(".form-group") || password.parentElement;
	group.after(label);

	fetch("/api/method/customer_portal.api.sso.available", { headers: { Accept: "application/json" } })
		.then((response) => (response.ok ? response.json() : {}))
		.then((answer) => {
			if (!answer.message || document.querySelector("#cp-sso")) return;
			const link = document.createElement("a");
			link.id = "cp-sso";
			link.className = "btn btn-sm btn-default btn-block cp-sso";
			const next = new URLSearchParams(window.location.search).get("redirect-to");
			link.href = "/portal/sso" + (next ? "?redirect-to=" + encodeURIComponent(next) : "");
			link.textContent = translate("Sign in with single sign-on");
			const form = password.closest("form");
			(form || group).after(link);
		})
		.catch(() => {});
});
