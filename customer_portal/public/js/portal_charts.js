// The dashboard charts, drawn with frappe-charts (shipped with Frappe) from data-chart attributes.
import { Chart } from "/assets/frappe/node_modules/frappe-charts/dist/frappe-charts.min.esm.js";

const primary = getComputedStyle(document.querySelector(".portal")).getPropertyValue("--portal-primary").trim();
for (const element of document.querySelectorAll("[data-chart]")) {
	new Chart(element, {
		data: JSON.parse(element.dataset.chart),
		type: element.dataset.chartType || "bar",
		height: 220,
		colors: [primary || "#2563eb"],
		axisOptions: { xIsSeries: true },
		lineOptions: { regionFill: 1 },
	});
}
