"""The tables that docs/ keeps of studies too expensive to re-run (their records were not kept): read a markdown
table as printed there and turn it into a sweep (rows named as `tilt sweep` names its columns, a record whose
experiment is resolved from the sweep file that produced it), so the figure functions draw it like any sweep."""
import copy
import math
import os
import re
import tomllib

from .records import Sweep

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def parse_number(cell):
    """'0.201 ± 0.043' -> (0.201, 0.043); '1.9·10⁹' -> (1.9e9, nan); '—', 'not reached' -> (nan, nan)."""
    cell = cell.strip().replace("−", "-")
    m = re.fullmatch(r"([-+]?[\d.]+)(?:·10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+))?(?:\s*±\s*([\d.]+))?", cell)
    if not m:
        return math.nan, math.nan
    x = float(m.group(1))
    if m.group(2):
        x *= 10.0 ** int(m.group(2).translate(_SUPERSCRIPT))
    return x, (float(m.group(3)) if m.group(3) else math.nan)


def read_tables(path):
    """Every markdown table of a file: a list of (header cells, rows of cells, line number of the header)."""
    tables, lines = [], open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and re.match(r"^\|(\s*:?-+:?\s*\|)+\s*$", lines[i + 1]):
            header = _cells(lines[i])
            rows, j = [], i + 2
            while j < len(lines) and lines[j].startswith("|"):
                rows.append(_cells(lines[j]))
                j += 1
            tables.append((header, rows, i + 1))
            i = j
        else:
            i += 1
    return tables


def _cells(line):
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def find_table(path, header):
    """The tables of PATH whose header starts with HEADER's axis columns and holds every other column of HEADER
    (a list of cell texts): columns added later to a table do not hide it."""
    axes = [h for h in header if h in ("K", "t_max", "p_E", "Δ_hard")]
    found = [t for t in read_tables(path)
             if t[0][:len(axes)] == header[:len(axes)] and all(h in t[0] for h in header)]
    if not found:
        raise SystemExit("%s: no table with header | %s |" % (path, " | ".join(header)))
    return found


def _merge(d, dotted, value):
    parts = dotted.split(".")
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = value


def experiment_of_file(path):
    """An experiment file's keys as TOML gives them (defaults it does not set are not filled in)."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def experiment_of(sweep_file):
    """(resolved base experiment as far as the TOML files say, the sweep table) of a sweep file: the base file's
    keys overridden by the sweep's [base] keys. Defaults that neither file sets are not filled in."""
    with open(sweep_file, "rb") as f:
        spec = tomllib.load(f)
    base = dict(spec.get("base", {}))
    experiment = {}
    if "file" in base:
        with open(os.path.join(os.path.dirname(sweep_file), base.pop("file")), "rb") as f:
            experiment = tomllib.load(f)
    experiment = copy.deepcopy(experiment)
    for k, v in base.items():
        if isinstance(v, dict):
            for kk, vv in _flatten(v, k):
                _merge(experiment, kk, vv)
        else:
            _merge(experiment, k, v)
    return experiment, spec


def _flatten(d, prefix):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flatten(v, prefix + "." + k)
        else:
            yield prefix + "." + k, v


# How the columns of docs/sweep.md's xgm tables map onto sweep columns.
def _xgm_row(cells, header):
    row = {}
    for name, cell in zip(header, cells):
        if name == "K":
            row["xgm.K"] = cell
        elif name == "t_max":
            row["t_max"] = cell
        elif name == "p_E":
            row["curriculum.easy_fraction"] = cell
        elif name == "Δ_hard":
            row["curriculum.hard"] = cell
        elif name.startswith("gap "):
            x, se = parse_number(cell)
            col = "curriculum_gap_" + name.split()[1]
            row[col], row[col + "_se"] = repr(x), repr(se)
        elif name == "speed-up":
            x, se = parse_number(cell)
            row["curriculum_speedup"], row["curriculum_speedup_se"] = repr(x), repr(se)
        elif name == "P[success] cur / shuf":
            c, s = cell.split("/")
            row["curriculum_success"], row["shuffled_success"] = repr(parse_number(c)[0]), repr(parse_number(s)[0])
        elif name.startswith("compute"):
            m = re.fullmatch(r"(.+?)\s*\((.+)\)", cell)
            if not m:  # another layout of the compute column: not read (the maps do not need it)
                continue
            for protocol, text in (("curriculum", m.group(1)), ("shuffled", m.group(2))):
                x = parse_number(text)[0]
                row[protocol + "_compute"] = "not reached" if text.strip() == "not reached" else repr(x)
    return row


def sweep_from_tables(md_path, header, sweep_files, description):
    """A Sweep from every table of MD_PATH with HEADER (docs/sweep.md's xgm tables), its record from the sweep
    files that produced the rows (the first gives the experiment; the axes hold the union of the values)."""
    rows = []
    for table_header, table_rows, line in find_table(md_path, header):
        rows += [_xgm_row(r, table_header) for r in table_rows]
    experiment, spec = experiment_of(sweep_files[0])
    axes = []
    keys = [k for k in ("xgm.K", "t_max", "curriculum.easy_fraction", "curriculum.hard") if k in rows[0]]
    for k in keys:
        values = sorted({float(r[k]) for r in rows})
        axes.append({"key": k, "values": values, "scale": "values", "zip": ""})
    record = {"command": "sweep", "experiment": experiment, "axes": axes,
              "sweep": dict(spec.get("sweep", {}), file=", ".join(sweep_files)),
              "source": "%s (%s)" % (md_path, description)}
    record["sweep"].setdefault("reference", "shuffled")
    return Sweep(record, rows, md_path)
