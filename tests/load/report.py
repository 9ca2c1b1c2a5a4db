"""The load run's figures from the load generator's log, the checks against the database, and the report:
a text table, the same as JSON, and a drawn timeline (requests, errors and p95 latency per second, with
the faults marked)."""

import json
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SETTLE_SECONDS = 30  # errors this long after a fault ended still count as that fault's
STORAGE_REQUEST = "S3 presigned GET"  # the client's GET at the storage itself, not at the site
BARE_ERROR = "Internal Server Error"  # gunicorn's own page for a request the application did not answer
FLAT_MEMORY = 1.25  # a worker whose memory grew by more than this over a soak is not flat
SOAK_MINUTES = 10  # memory must stay flat in runs at least this long (shorter ones are warming up)


@dataclass
class Log:
	"""The load generator's log, by kind of entry."""

	requests: list[dict] = field(default_factory=list)  # the site's answers
	acks: list[dict] = field(default_factory=list)  # writes the site acknowledged
	storage: list[dict] = field(default_factory=list)  # downloads from the storage itself (presigned URLs)
	workload_errors: list[dict] = field(default_factory=list)  # tasks that raised and stopped midway


def read(log_path: Path) -> Log:
	log = Log()
	if log_path.exists():
		for line in log_path.read_text().splitlines():
			entry = json.loads(line)
			if "ack" in entry:
				log.acks.append(entry)
			elif "workload_error" in entry:
				log.workload_errors.append(entry)
			elif entry["name"] == STORAGE_REQUEST:
				log.storage.append(entry)
			else:
				log.requests.append(entry)
	return log


def failed(entry: dict) -> bool:
	return entry["status"] == 0 or entry["status"] >= 500


def bare(entry: dict) -> bool:
	return entry["status"] == 0 or (
		entry["status"] == 500 and (entry.get("said") or "").startswith(BARE_ERROR)
	)


def in_window(entry: dict, window: tuple[float, float]) -> bool:
	"""Whether a request was in flight during a fault's window: one that began before the fault and was
	still waiting when the service went away fails with it (at 16 users a page can take seconds)."""
	low, high = window
	return entry["t"] <= high and entry["t"] + entry["ms"] / 1000 >= low


def progress(log_path: Path) -> str:
	log = read(log_path)
	errors = sum(1 for entry in log.requests if failed(entry))
	return f"{len(log.requests):,} requests, {errors} failed or 5xx, {len(log.acks)} writes acknowledged"


def percentile(values: list[float], share: float) -> float:
	ordered = sorted(values)
	return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def build(log_path: Path, timeline: dict, drained: float, restarted: int) -> dict:
	log = read(log_path)
	requests, acks = log.requests, log.acks
	began, ended, faults = timeline["began"], timeline["ended"], timeline["faults"]
	errors = [entry for entry in requests if failed(entry)]
	windows = [(fault["start"] - 1, fault["end"] + SETTLE_SECONDS) for fault in faults]
	for index, fault in enumerate(faults):
		following = faults[index + 1]["start"] if index + 1 < len(faults) else ended
		# an error belongs to the latest fault whose window it overlaps
		inside = [
			entry
			for entry in errors
			if in_window(entry, windows[index])
			and (index + 1 == len(faults) or not in_window(entry, windows[index + 1]))
		]
		last_error = max((entry["t"] + entry["ms"] / 1000 for entry in inside), default=fault["end"])
		fault.update(
			at=round(fault["start"] - began, 1),
			lasted=round(fault["end"] - fault["start"], 1),
			errors=len(inside),
			statuses=dict(Counter(str(entry["status"]) for entry in inside)),
			# failed answers that say nothing: gunicorn's bare 500 (the site's own always says what happened,
			# during an outage "try again shortly"), a dropped connection
			bare=sum(1 for entry in inside if bare(entry)),
			answers=dict(Counter(entry.get("said") or entry.get("error") or "" for entry in inside)),
			error_window=round(last_error - min(entry["t"] for entry in inside), 1) if inside else 0.0,
			# answered again on its own: a request succeeded after the last error, before the next fault
			recovered=any(not failed(entry) and last_error < entry["t"] < following for entry in requests),
			injected="no job ran" not in fault["detail"],
		)
	unexpected = [entry for entry in errors if not any(in_window(entry, window) for window in windows)]
	# a download from the storage may fail only while the storage is away
	storage_windows = [window for window, fault in zip(windows, faults, strict=True) if fault.get("storage")]
	storage_failed = [entry for entry in log.storage if entry["status"] == 0 or entry["status"] >= 400]
	storage_unexpected = [
		entry for entry in storage_failed if not any(in_window(entry, window) for window in storage_windows)
	]
	by_name = defaultdict(list)
	for entry in requests:
		by_name[entry["name"]].append(entry)
	endpoints = {
		name: {
			"requests": len(rows),
			"failed": sum(1 for entry in rows if failed(entry)),
			"p50_ms": round(statistics.median(entry["ms"] for entry in rows), 1),
			"p95_ms": round(percentile([entry["ms"] for entry in rows], 0.95), 1),
		}
		for name, rows in sorted(by_name.items())
	}
	samples = timeline["memory"]
	megabytes = lambda sample, pid: round(samples.get(sample, {}).get(pid, 0) / 2**20, 1) or None
	memory = {
		str(pid): {
			"first_mb": megabytes("first", pid),
			"start_mb": megabytes("start", pid),
			"end_mb": megabytes("end", pid),
		}
		for pid in samples.get("start", {})
	}
	return {
		"seconds": round(ended - began, 1),
		"requests": len(requests),
		"requests_per_second": round(len(requests) / max(1, ended - began), 1),
		"acknowledged": dict(Counter(entry["ack"] for entry in acks)),
		"faults": faults,
		"unexpected_errors": [
			{k: entry.get(k) for k in ("t", "name", "status", "error", "said")}
			| {"at": round(entry["t"] - began, 1)}
			for entry in unexpected[:50]
		],
		"unexpected_error_count": len(unexpected),
		"storage": {
			"downloads": len(log.storage),
			"failed_in_outage": len(storage_failed) - len(storage_unexpected),
			"failed_otherwise": len(storage_unexpected),
		},
		"workload_errors": dict(Counter(entry["workload_error"] for entry in log.workload_errors)),
		"stack_traces": sum(1 for entry in requests if entry["trace"]),
		"endpoints": endpoints,
		"memory": memory,
		"warm_up_seconds": samples.get("warm_up_seconds"),
		"workers_restarted": restarted,
		"drained_seconds": round(drained, 1),
		"timeline": buckets(requests, began, ended, faults),
	}


def checks(frappe, since, run: str, mail_folder: Path, stored_keys, local_files, log_path: Path) -> dict:
	import verify

	acks = read(log_path).acks
	frappe.db.rollback()
	results = {}
	for name, (counted, problems) in (
		("acknowledged writes", verify.acknowledged_writes(acks, since)),
		("notifications", verify.notifications(since, mail_folder)),
		("leftovers", verify.leftovers(since, run, stored_keys, local_files)),
	):
		results[name] = {"counted": counted, "problems": problems}
	return results


def verdict(results: dict, minutes: float) -> list[str]:
	"""Why the run failed (empty: it passed)."""
	reasons = []
	if results["unexpected_error_count"]:
		reasons.append(
			f"{results['unexpected_error_count']} failed or 5xx answers outside any fault's window"
		)
	if results["stack_traces"]:
		reasons.append(f"{results['stack_traces']} answers showed a stack trace")
	if results["storage"]["failed_otherwise"]:
		reasons.append(
			f"{results['storage']['failed_otherwise']} downloads from the storage failed outside its outage"
		)
	if errors := sum(results["workload_errors"].values()):
		reasons.append(
			f"the workload's tasks raised {errors} times (what they would have done next never ran)"
		)
	for fault in results["faults"]:
		if not fault["injected"]:
			reasons.append(f"{fault['fault']}: not injected ({fault['detail']})")
		elif not fault["recovered"]:
			reasons.append(f"{fault['fault']}: the site did not recover on its own")
		if fault.get("bare"):
			reasons.append(
				f"{fault['fault']}: {fault['bare']} failed answers said nothing (gunicorn's bare 500 or a"
				" dropped connection)"
			)
	for name, check in results["checks"].items():
		if check["problems"]:
			reasons.append(f"{name}: {len(check['problems'])} problems")
	if minutes >= SOAK_MINUTES:
		for pid, row in results["memory"].items():
			if row["end_mb"] and row["end_mb"] > row["start_mb"] * FLAT_MEMORY:
				reasons.append(f"gunicorn worker {pid} grew from {row['start_mb']} MB to {row['end_mb']} MB")
	return reasons


def buckets(requests: list[dict], began: float, ended: float, faults: list[dict]) -> dict:
	"""Per-second counts of answered and failed requests and the p95 latency, for the drawing."""
	seconds = max(1, int(ended - began) + 1)
	ok, bad, latency = [0] * seconds, [0] * seconds, [[] for _ in range(seconds)]
	for entry in requests:
		index = min(seconds - 1, max(0, int(entry["t"] - began)))
		(bad if failed(entry) else ok)[index] += 1
		latency[index].append(entry["ms"])
	return {
		"ok": ok,
		"failed": bad,
		"p95_ms": [percentile(values, 0.95) for values in latency],
		"faults": [(f["at"], f["at"] + f["lasted"], f["fault"]) for f in faults],
	}


def draw(timeline: dict) -> str:
	"""The timeline as SVG: answered requests/s (blue), failed or 5xx (red), p95 latency (grey, own
	scale), faults shaded."""
	width, height, left, top, plot = 960, 320, 50, 30, 240
	count = len(timeline["ok"])
	x = lambda second: left + (width - left - 20) * second / max(1, count - 1)
	top_rate = max(1, max(a + b for a, b in zip(timeline["ok"], timeline["failed"], strict=True)))
	top_latency = max(1.0, max(timeline["p95_ms"]))
	y_rate = lambda value: top + plot - plot * value / top_rate
	y_latency = lambda value: top + plot - plot * value / top_latency
	parts = [
		f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
		f'<rect width="{width}" height="{height}" fill="white"/>',
		f'<text x="{left}" y="16" font-size="13">Load run: requests/s answered (blue), failed or 5xx (red), p95 latency (grey, up to {top_latency:.0f} ms)</text>',
	]
	for start, end, label in timeline["faults"]:
		parts.append(
			f'<rect x="{x(start):.1f}" y="{top}" width="{max(2.0, x(end) - x(start)):.1f}" height="{plot}" fill="#f5a623" opacity="0.25"/>'
			f'<text x="{x(start) + 2:.1f}" y="{top + 12}" fill="#a15c00">{label}</text>'
		)
	for second, value in enumerate(timeline["failed"]):
		if value:
			parts.append(
				f'<rect x="{x(second):.1f}" y="{y_rate(value):.1f}" width="3" height="{top + plot - y_rate(value):.1f}" fill="#d0021b"/>'
			)
	for series, scale, colour in (("ok", y_rate, "#2f6fdd"), ("p95_ms", y_latency, "#9b9b9b")):
		points = " ".join(f"{x(i):.1f},{scale(v):.1f}" for i, v in enumerate(timeline[series]))
		parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.2"/>')
	parts.append(
		f'<line x1="{left}" y1="{top + plot}" x2="{width - 20}" y2="{top + plot}" stroke="black"/>'
		f'<text x="{left}" y="{top + plot + 16}">0 s</text>'
		f'<text x="{width - 60}" y="{top + plot + 16}">{count - 1} s</text>'
		f'<text x="4" y="{top + 10}">{top_rate}/s</text><text x="4" y="{top + plot}">0</text>'
	)
	parts.append("</svg>")
	return "\n".join(parts)


def write(results: dict, args, output: Path) -> str:
	"""Write load-report.txt/.json and load-timeline.svg to `output`; returns the text."""
	results["reasons"] = verdict(results, args.minutes)
	results["passed"] = not results["reasons"]
	lines = [
		f"Load run {time.strftime('%Y-%m-%d %H:%M')}: {args.users} users for {results['seconds']:.0f} s against"
		f" gunicorn ({args.web_workers} workers) and {args.rq_workers} RQ workers:"
		f" {results['requests']:,} requests ({results['requests_per_second']}/s)",
		"",
		f"{'endpoint':<58} {'requests':>8} {'failed':>7} {'p50 ms':>8} {'p95 ms':>8}",
	]
	for name, row in results["endpoints"].items():
		lines.append(
			f"{name:<58} {row['requests']:>8,} {row['failed']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8}"
		)
	lines += [
		"",
		f"{'fault':<22} {'at':>6} {'lasted':>7} {'error window':>13} {'errors':>7}  statuses  recovered",
	]
	for fault in results["faults"]:
		statuses = ", ".join(f"{k}: {v}" for k, v in sorted(fault["statuses"].items())) or "-"
		lines.append(
			f"{fault['fault']:<22} {fault['at']:>5}s {fault['lasted']:>6}s {fault['error_window']:>12}s"
			f" {fault['errors']:>7}  {statuses:<8}  {'yes' if fault['recovered'] else 'NO'} ({fault['detail']})"
		)
	lines.append("")
	for name, check in results["checks"].items():
		counted = ", ".join(f"{k} {v:,}" for k, v in check["counted"].items())
		lines.append(f"{name}: {counted}: {'all correct' if not check['problems'] else 'PROBLEMS'}")
		lines += [f"  - {problem}" for problem in check["problems"][:20]]
	lines.append(
		f"failed or 5xx outside fault windows: {results['unexpected_error_count']};"
		f" answers with a stack trace: {results['stack_traces']};"
		f" queues drained in {results['drained_seconds']} s; workers restarted: {results['workers_restarted']};"
		f" Error Log entries: {results.get('error_logs', 0)} (error-logs.txt beside the servers' logs)"
	)
	storage = results["storage"]
	if storage["downloads"]:
		lines.append(
			f"downloads from the storage (presigned URLs): {storage['downloads']:,}; failed while S3 was"
			f" unreachable: {storage['failed_in_outage']}; failed otherwise: {storage['failed_otherwise']}"
		)
	for error, count in results["workload_errors"].items():
		lines.append(f"workload task raised {count}x: {error}")
	memory = ", ".join(
		f"{pid}: {row['first_mb'] or 'new'} -> {row['start_mb']} -> {row['end_mb'] or 'gone'} MB"
		for pid, row in results["memory"].items()
	)
	lines.append(
		f"gunicorn worker memory (RSS at 20 s -> at the end of the warm-up, {results['warm_up_seconds']} s -> at"
		f" the end; flat means end <= {FLAT_MEMORY:g}x the warm-up figure): {memory}"
	)
	lines += ["", "PASSED" if results["passed"] else "FAILED: " + "; ".join(results["reasons"])]
	text = "\n".join(lines)
	output.mkdir(parents=True, exist_ok=True)
	(output / "load-report.txt").write_text(text + "\n")
	(output / "load-report.json").write_text(json.dumps(results, indent=1, default=str))
	(output / "load-timeline.svg").write_text(draw(results["timeline"]))
	return text + f"\n\nreport: {output / 'load-report.txt'}, timeline: {output / 'load-timeline.svg'}"
