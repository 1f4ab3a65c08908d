"""Command line of tiltplot: plot any run's or sweep's columns with no code written.

  /usr/bin/python3 plots/plot.py run PREFIX [PREFIX ...] --y eps_hard [--y Q_i] [--x t] [--logx] [--logy]
      columns of `tilt ode` / `tilt sim` outputs (PREFIX.csv + PREFIX.json), one panel
  /usr/bin/python3 plots/plot.py curves PREFIX [PREFIX ...] --y eps_hard [--y Q_i]
      learning curves of `tilt validate --out PREFIX` outputs (theory lines, SGD points +- s.e.), a panel per column
  /usr/bin/python3 plots/plot.py sweep PREFIX COLUMN [--x KEY] [--y KEY] [--where KEY=VALUE ...] [--also PREFIX ...]
      [--colour diverging|sequential|log]     heat map of a `tilt sweep` table's column over two axes
  /usr/bin/python3 plots/plot.py lottery RECORD.json [RECORD.json ...]
      success probability and t* per member against K, from theory or SGD ensembles' JSON records
  /usr/bin/python3 plots/plot.py residuals PREFIX_validate.json
      theory against SGD member by member, from `tilt validate --scaling`
  /usr/bin/python3 plots/plot.py schedules RECORD.json [RECORD.json ...] [--key xgm.K]
      the difficulty schedules Delta(t) the runs trained on (e.g. an optimal schedule per width)
Every command takes --out STEM (default: beside the first input) and writes STEM.pdf, STEM.png, STEM.caption.tex.
"""
import argparse
import os
import sys

from . import figures, records


def _stem(a, default):
    return a.out or default


def main(argv=None):
    ap = argparse.ArgumentParser(prog="plot.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="columns of ode/sim outputs")
    r.add_argument("prefix", nargs="+")
    r.add_argument("--y", action="append", required=True)
    r.add_argument("--x", default="t")
    r.add_argument("--logx", action="store_true")
    r.add_argument("--logy", action="store_true")
    c = sub.add_parser("curves", help="learning curves of validate outputs")
    c.add_argument("prefix", nargs="+")
    c.add_argument("--y", action="append", required=True)
    s = sub.add_parser("sweep", help="heat map of a sweep column")
    s.add_argument("prefix")
    s.add_argument("column")
    s.add_argument("--x")
    s.add_argument("--y")
    s.add_argument("--where", action="append", default=[])
    s.add_argument("--also", action="append", default=[])
    s.add_argument("--colour", choices=["diverging", "sequential", "log"], default=None)
    lo = sub.add_parser("lottery", help="the lottery against K")
    lo.add_argument("record", nargs="+")
    rs = sub.add_parser("residuals", help="validate --scaling residuals")
    rs.add_argument("record")
    sc = sub.add_parser("schedules", help="difficulty schedules of runs")
    sc.add_argument("record", nargs="+")
    sc.add_argument("--key", default="xgm.K", help="the key that tells the runs apart in the legend")
    for p in (r, c, s, lo, rs, sc):
        p.add_argument("--out", help="STEM of the files written (STEM.pdf, STEM.png, STEM.caption.tex)")
    a = ap.parse_args(argv)
    if a.command == "run":
        runs = [records.read_run(p) for p in a.prefix]
        paths = figures.columns_plot(runs, a.y, _stem(a, runs[0].path + "_" + "_".join(a.y)), x=a.x, logx=a.logx,
                                     logy=a.logy)
    elif a.command == "curves":
        series = []
        for p in a.prefix:
            theory, sim, record = records.read_validate(p)
            protocol = record["experiment"].get("curriculum", {}).get("protocol", os.path.basename(p))
            if record["experiment"].get("perceptron", {}).get("coupling", 0) > 0:
                protocol = "consolidation"
            series.append((protocol, theory, sim))
        paths = figures.learning_curves(series, a.y, _stem(a, series[0][1].path + "_curves"))
    elif a.command == "sweep":
        sw = records.read_sweep(a.prefix, a.also)
        where = dict(w.split("=", 1) for w in a.where)
        for k in where:
            sw.axis(k)
        colour = a.colour or ("sequential" if a.column.endswith("_success") else
                              "log" if a.column.endswith("_compute") else "diverging")
        paths = figures.heatmap(sw, a.column, _stem(a, sw.path + "_" + a.column), x=a.x, y=a.y, where=where,
                                colour=colour)
    elif a.command == "lottery":
        ens = []
        for path in a.record:
            rec = records.read_json(path)
            if "metrics" not in rec:
                sys.exit("%s: no metrics block (a theory ensemble or an SGD run of several seeds has one)" % path)
            e = rec["experiment"]
            ens.append((e["curriculum"]["protocol"], e.get("xgm", e.get("scm", {})).get("K"), rec))
        paths = figures.lottery(ens, _stem(a, os.path.splitext(a.record[0])[0] + "_lottery"))
    elif a.command == "schedules":
        recs = [records.read_json(p) for p in a.record]
        paths = figures.schedules(recs, _stem(a, os.path.splitext(a.record[0])[0] + "_schedules"), key=a.key)
    else:
        rec = records.read_json(a.record)
        if "scaling" not in rec:
            sys.exit("%s: no scaling block; run tilt validate with --scaling D1,D2,D3" % a.record)
        paths = figures.residuals(rec, _stem(a, os.path.splitext(a.record)[0] + "_residuals"))
    print("wrote " + " ".join(paths))


if __name__ == "__main__":
    main()
