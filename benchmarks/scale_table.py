"""The one table of ``benchmarks/run.py``: every stage at every size (medians, highest peak memory), growth
exponents, the floor, the baseline, Virtuoso at ten million triples, and the targets met or not; written into
``docs/scale.md`` between its two markers by ``run.py --doc``."""

from __future__ import annotations

import math
import statistics
from itertools import pairwise
from pathlib import Path

GROUPS = ("stages", "build", "busy", "floor", "load", "questions", "baseline", "publish", "seed", "virtuoso")
BEGIN = "<!-- begin: written by benchmarks/run.py --doc; edit the runner, not this table -->"
END = "<!-- end: written by benchmarks/run.py --doc -->"
STAGES = ("load: parse into a store", "validate: SHACL, fast engine", "validate: QC queries",
          "validate: both, as build runs them", "serialize: turtle", "serialize: jsonld", "serialize: ntriples",
          "serialize: rdfxml", "serialize: all four, one pass")
FLOOR = ("floor: pyoxigraph parse (bulk load)", "floor: pyoxigraph four dumps", "FLOOR (parse + four dumps)")
BASELINE = ("baseline: rdflib parse", "baseline: pyshacl validate", "baseline: rdflib serialize turtle",
            "baseline: rdflib serialize nt", "baseline: rdflib serialize json-ld")
BASELINE_1M = "not run (1,347 s and 2.6 GB in the issue's measurement)"
QUESTION_LIMITS = {100_000: 0.050, 1_000_000: 0.200}
MB_LIMIT = 1024


def summary(runs: list[dict]) -> dict:
    """Median seconds and highest peak of runs (dicts with seconds / peak_mb / note); a note if none ran."""
    seconds = [run["seconds"] for run in runs if run.get("seconds") is not None]
    peaks = [run["peak_mb"] for run in runs if run.get("peak_mb")]
    if not seconds:
        return {"seconds": None, "note": next((run.get("note") for run in runs if run.get("note")), "")}
    return {"seconds": statistics.median(seconds), "peak_mb": max(peaks) if peaks else None, "runs": len(seconds),
            "low": min(seconds), "high": max(seconds)}


def staged(entry: dict, group: str, name: str) -> dict:
    return summary([run[name] for run in entry.get(group, []) if name in run])


def cell(value: dict) -> str:
    if value.get("text") is not None:
        return value["text"]
    if value.get("seconds") is None:
        return value.get("note", "")
    digits = 2 if value["seconds"] < 10 else 1 if value["seconds"] < 100 else 0
    text = f"{value['seconds']:,.{digits}f} s"
    if value.get("runs", 1) > 1:
        text += f" ({value['low']:,.{digits}f}-{value['high']:,.{digits}f})"
    if value.get("peak_mb"):
        text += f" · {value['peak_mb']:,.0f} MB"
    return text


def question_cells(entry: dict, size: int) -> dict[str, dict]:
    found = entry.get("questions")
    if not found or "questions" not in found:
        return {}
    times = found["questions"]
    slowest = max(times, key=times.get)
    limit = QUESTION_LIMITS.get(size)
    over = f"{sum(t > limit for t in times.values())} of {len(times)} over {limit * 1000:.0f} ms" if limit else ""
    return {"questions: every one, embedded (sum of medians)": {"seconds": sum(times.values()),
                                                                "peak_mb": found.get("peak_mb")},
            "questions: the slowest (median of 5)": {"text": f"{slowest} {times[slowest] * 1000:.0f} ms"},
            "questions: over the target": {"text": over or "no target"}}


def size_rows(entry: dict, size: int) -> dict[str, dict]:
    """Every row of one size's column, by row name."""
    rows: dict[str, dict] = {name: staged(entry, "stages", name) for name in STAGES}
    rows["BUILD: cold `migration-kg build`"] = summary(entry.get("build", []))
    rows["BUILD: cold, one core busy elsewhere"] = summary(entry.get("busy", []))
    digests = {run["digest"] for run in entry.get("build", []) + entry.get("busy", []) if run.get("digest")}
    count = sum(1 for run in entry.get("build", []) + entry.get("busy", []) if run.get("digest"))
    rows["BUILD: dist/ byte-identical across runs"] = {
        "text": "" if not digests else (f"yes ({count} runs)" if len(digests) == 1 else f"NO ({len(digests)} kinds)")}
    for name in FLOOR:
        rows[name] = staged(entry, "floor", name)
    build, floor = rows["BUILD: cold `migration-kg build`"], rows["FLOOR (parse + four dumps)"]
    rows["build / floor"] = {"text": f"{build['seconds'] / floor['seconds']:.1f}x"
                             if build.get("seconds") and floor.get("seconds") else ""}
    rows["publish: cold command (--no-build)"] = summary([entry["publish"]]) if "publish" in entry else {}
    rows["load into Oxigraph (in-memory server)"] = summary([entry["load"]]) if "load" in entry else {}
    rows.update(question_cells(entry, size))
    baseline = entry.get("baseline")
    for name in BASELINE:
        rows[name] = summary([baseline["stages"][name]]) if baseline and name in baseline.get("stages", {}) else {}
    if baseline and baseline.get("stages"):
        total = sum(stage["seconds"] for stage in baseline["stages"].values())
        rows["BASELINE: total (rdflib + pyshacl + rdflib)"] = {"seconds": total,
                                                              "peak_mb": baseline.get("process_peak_mb")}
        if build.get("seconds"):
            rows["baseline / build"] = {"text": f"**{total / build['seconds']:.1f}x**"}
    elif baseline and baseline.get("note"):
        rows["BASELINE: total (rdflib + pyshacl + rdflib)"] = {"text": baseline["note"]}
    else:
        rows["BASELINE: total (rdflib + pyshacl + rdflib)"] = {
            "text": BASELINE_1M if size == 1_000_000 else "not run"}
    return rows


def short(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def asked(triples: int) -> int:
    """The size a run was asked for (a power of ten) from the triples it got."""
    return 10 ** round(math.log10(triples))


def virtuoso_rows(found: dict) -> dict[str, dict]:
    """The rows of one bench_virtuoso.py run, named by its ResultSetMaxRows."""
    api, check = found.get("api", {}), found.get("validate", {})
    rows_limit = f"ResultSetMaxRows {found.get('result_set_max_rows', 10_000):,}"
    missed = ", ".join(f"{focus.rsplit('/', 2)[-1]} {check.rsplit('#', 1)[-1]}" for focus, check in
                       api.get("missing", []))
    planted = (f"{api['found']} of {api['expected_pairs']} (focus, check) pairs"
               + (f"; missed {missed}" if missed else "")
               + (f"; {len(api['extra'])} more" if api.get("extra") else "")) if "found" in api else "not run"
    counted = [int(word) for word in (api.get("quotes") or "").split() if word.isdigit()]
    quotes = (f"{sum(counted[:2]):,} of {found['claims']:,} claims' quotes looked at"
              if len(counted) >= 2 and found.get("claims") else "")
    if check.get("exit") not in (0, 1) and check.get("seconds"):
        verdict = {"text": f"{check['seconds']:,.0f} s, exit {check['exit']}: "
                           + " ".join(check.get("last_lines") or [])[-90:]}
    else:
        verdict = {"seconds": check.get("seconds"), "peak_mb": check.get("peak_mb"), "note": check.get("note") or ""}
    return {f"Virtuoso ({rows_limit}): bulk load (ld_dir, rdf_loader_run x2, checkpoint)": {
                "seconds": found.get("load_seconds")},
            f"Virtuoso ({rows_limit}): the server's peak memory": {
                "text": f"{found['server_mb_peak']:,.0f} MB" if found.get("server_mb_peak") else ""},
            f"Virtuoso ({rows_limit}): `validate --endpoint`, cold (our peak)": verdict,
            f"Virtuoso ({rows_limit}): planted violations reported": {"text": planted},
            f"Virtuoso ({rows_limit}): quote check": {"text": quotes}}


def exponent(rows: dict[int, dict], triples: dict[int, int], a: int, b: int, name: str) -> str:
    ta, tb = rows[a].get(name, {}).get("seconds"), rows[b].get(name, {}).get("seconds")
    if not (ta and tb and rows[a][name].get("text") is None):
        return ""
    return f"{math.log(tb / ta) / math.log(triples[b] / triples[a]):.2f}"


def render(results: dict, notes: list[str] = ()) -> str:
    sizes = sorted(int(size) for size in results.get("sizes", {}))
    entries = {size: results["sizes"][str(size)] for size in sizes}
    triples = {size: entries[size].get("triples") or size for size in sizes}
    rows = {size: size_rows(entries[size], size) for size in sizes}
    runs = results.get("virtuoso") or []
    runs = [runs] if isinstance(runs, dict) else runs
    big: dict[int, dict[str, dict]] = {}
    for run in runs:
        big.setdefault(asked(run["triples"]), {}).update(virtuoso_rows(run))
        triples.setdefault(asked(run["triples"]), run["triples"])
    columns = sorted({*sizes, *big})
    names = list(dict.fromkeys([*(name for size in sizes for name in rows[size]),
                                *(name for size in sorted(big) for name in big[size])]))
    spans = list(pairwise(sizes))
    header = ["stage", *(f"{triples[size]:,}" for size in columns),
              *(f"k {short(a)}→{short(b)}" for a, b in spans)]
    lines = [f"| {' | '.join(header)} |", "|" + "---|" + "---:|" * (len(header) - 1)]
    for name in names:
        cells = [cell({**rows.get(size, {}).get(name, {}), **big.get(size, {}).get(name, {})}) for size in columns]
        cells += [exponent(rows, triples, a, b, name) for a, b in spans]
        if any(cells):
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join([*preamble(results), "", *lines, "", *targets(results, rows, triples), *notes]) + "\n"


def preamble(results: dict) -> list[str]:
    machine = results.get("machine", {})
    seed = results.get("seed", {})
    lines = [f"Measured {machine.get('date', '?')} on {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
             f"{machine.get('memory_gb', '?')} GB, Python {machine.get('python', '?')}, pyoxigraph "
             f"{machine.get('pyoxigraph', '?')}. Cells: median seconds (lowest-highest of the interleaved runs) · "
             "highest peak resident memory of the process; k is the growth exponent (time ∝ triples^k, 1 is "
             "linear). The busy-core rows ran while `taskset -c 1 python -c 'while 1: pass'` kept core 1 busy."]
    if seed:
        parts = [f"{label} {cell(summary(seed[key]))}" for key, label in
                 (("build", "cold `build`"), ("publish", "cold `publish`"), ("help", "`--help`")) if key in seed]
        lines.append("Seed project (2,911 triples): " + "; ".join(parts) + ".")
    return lines


def targets(results: dict, rows: dict[int, dict], triples: dict[int, int]) -> list[str]:
    """The issue's targets, each with the measured figure and met or not."""
    out = ["| target | measured | |", "|---|---|---|"]

    def line(target: str, measured: str, met: bool | None) -> None:
        out.append(f"| {target} | {measured} | {'' if met is None else ('met' if met else '**not met**')} |")

    million = rows.get(1_000_000, {})
    busy = million.get("BUILD: cold, one core busy elsewhere", {})
    if busy.get("seconds"):
        line("1M `build` ≤ 25 s, one core busy elsewhere", cell(busy), busy["seconds"] <= 25)
        deterministic = million["BUILD: dist/ byte-identical across runs"]["text"]
        line("1M `build` byte-deterministic", deterministic, deterministic.startswith("yes"))
        peak = max(v.get("peak_mb") or 0 for v in (busy, million.get("BUILD: cold `migration-kg build`", {})))
        line("1M `build` < 1 GB", f"{peak:,.0f} MB", peak < MB_LIMIT)
    for size, limit in QUESTION_LIMITS.items():
        over = rows.get(size, {}).get("questions: over the target", {}).get("text")
        if over:
            slowest = rows[size]["questions: the slowest (median of 5)"]["text"]
            line(f"every question under {limit * 1000:.0f} ms embedded at {size:,}", f"{over}; slowest {slowest}",
                 over.startswith("0 of"))
    publish = {size: rows[size].get("publish: cold command (--no-build)", {}) for size in rows}
    if publish.get(10_000, {}).get("seconds") and publish.get(1_000_000, {}).get("seconds"):
        k = math.log(publish[1_000_000]["seconds"] / publish[10_000]["seconds"]) / math.log(
            triples[1_000_000] / triples[10_000])
        line("`publish` growth exponent 10k→1M ≤ 1.1", f"{k:.2f}", k <= 1.1)
    for size, limit in ((100_000, 20), (1_000_000, 240)):
        value = publish.get(size, {})
        if value:
            line(f"`publish` at {size:,} ≤ {limit} s", cell(value), bool(value.get("seconds")) and
                 value["seconds"] <= limit)
    peaks = [v.get("peak_mb") for v in publish.values() if v.get("peak_mb")]
    if peaks:
        line("`publish` peak < 1 GB (largest size run)", f"{peaks[-1]:,.0f} MB", peaks[-1] < MB_LIMIT)
    seed = results.get("seed", {}).get("publish")
    if seed:
        value = summary(seed)
        line("seed site ≤ 1 s", cell(value), bool(value.get("seconds")) and value["seconds"] <= 1)
    runs = results.get("virtuoso") or []
    for run in [runs] if isinstance(runs, dict) else runs:
        api, check = run.get("api", {}), run.get("validate", {})
        label = f"{run['triples']:,} triples in Virtuoso (ResultSetMaxRows {run.get('result_set_max_rows', 10_000):,})"
        finished = check.get("exit") in (0, 1)
        line(f"{label}: bulk load, then `validate --endpoint`",
             f"load {run.get('load_seconds', 0):,.0f} s; validation {check.get('seconds') or 0:,.0f} s, exit "
             f"{check.get('exit')}; our peak {check.get('peak_mb') or 0:,.0f} MB", finished)
        if "found" in api:
            line(f"{label}: every planted violation reported", f"{api['found']} of {api['expected_pairs']}",
                 api["found"] == api["expected_pairs"])
    return ["", *out, ""] if len(out) > 2 else []


def write_doc(path: Path, table: str) -> None:
    """Replace what lies between the doc's two markers with ``table``."""
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path} lacks the markers of the generated table:\n{BEGIN}\n{END}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n\n{table}\n{END}{tail}", encoding="utf-8")
