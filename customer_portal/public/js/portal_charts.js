// The portal's charts, drawn with frappe-charts (shipped with Frappe) from data-chart attributes:
// data-chart-type (bar, line, percentage...), data-chart-stacked for stacked bars, data-chart-unit for
// the tooltip's unit.
// frappe-charts.esm.js is minified and shipped by every Frappe v15 (15.74 dropped the .min.esm.js name)
import { Chart } from "/assets/frappe/node_modules/frappe-charts/dist/frappe-charts.esm.js";

const primary = getComputedStyle(document.querySelector(".portal")).getPropertyValue("--portal-primary").trim();
const palette = [primary || "#2563eb", "#f59e0b", "#10b981", "#8b5cf6", "#ef4444", "#06b6d4", "#64748b", "#ec4899"];
for (const element of document.querySelectorAll("[data-chart]")) {
	const unit = element.dataset.chartUnit || "";
	new Chart(element, {
		data: JSON.parse(element.dataset.chart),
		type: element.dataset.chartType || "bar",
		height: 240,
		colors: palette,
		axisOptions: { xIsSeries: true },
		lineOptions: { regionFill: 1 },
		barOptions: { stacked: element.hasAttribute("data-chart-stacked") ? 1 : 0 },
		tooltipOptions: unit ? { formatTooltipY: (value) => `${value} ${unit}` } : {},
	});
}
