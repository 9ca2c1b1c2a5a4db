// "Remember me" on Frappe's login page: the choice travels as a short-lived cookie that the portal's
// session policy reads when the session starts (accounts/sessions.py); unticked, the session ends with
// the browser.
document.addEventListener("DOMContentLoaded", () => {
	if (window.location.pathname !== "/login") return;
	const password = document.querySelector("#login_password");
	if (!password || document.querySelector("#cp-remember-me")) return;
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
	const text = typeof __ === "function" ? __("Remember me on this device") : "Remember me on this device";
	label.append(box, document.createTextNode(" " + text));
	const group = password.closest(".form-group") || password.parentElement;
	group.after(label);
});
