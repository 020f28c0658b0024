#!/usr/bin/env python3
"""Checks a file written by gaitsim against the documented layout of its kind: every dataset,
group attribute and dataset attribute in the file must be documented, and every documented
(required) one must be there and readable. The schema below is the machine-readable form of
docs/file-formats.md (and docs/cluster.md for sweep summaries): each entry carries the text by
which the docs name it, and that text must appear in the docs, so the docs, this list and the
files cannot drift apart silently.

    check_file_schema.py KIND FILE [--docs DOCS_DIR]
    KIND: run, align, settle, responses, responses_nwb, comparison, summary

Exit 0 when the file matches, 1 with one line per difference otherwise.
"""
import argparse
import os
import re
import sys

import h5py
import numpy as np


class E:
    """One documented object: `pattern` is its path with <placeholders> (one path component
    each) or (a|b) alternatives; `doc` the text the docs name it by (default: the pattern);
    `attrs` its attributes ('?name' = optional); `ndim` the number of dimensions of a dataset."""

    def __init__(self, pattern, attrs=(), optional=False, group=False, ndim=None, doc=None):
        self.pattern = pattern
        self.regex = re.compile("^" + re.sub(r"<[^>]+>", r"[^/]+", pattern) + "$")
        self.attrs = [a.lstrip("?") for a in attrs]
        self.required_attrs = [a for a in attrs if not a.startswith("?")]
        self.optional = optional
        self.group = group
        self.ndim = ndim
        self.doc = pattern if doc is None else doc


def G(pattern, attrs, **kw):
    return E(pattern, attrs, group=True, **kw)


CONV = ["?in_channels", "?in_height", "?in_width", "?kernel", "?stride", "?channels", "?in_layout"]

SCHEMA = {
    "run": ("file-formats.md", [
        G("/", ["format", "format_version", "status", "?status_detail", "config", "precision",
                "written_unix_time"], doc="written_unix_time"),
        G("/metrics", ["description"], doc="`/metrics`"),
        E("/metrics/epoch", ndim=1),
        E("/metrics/train_loss", ndim=1), E("/metrics/train_accuracy", ndim=1),
        E("/metrics/test_loss", ndim=1), E("/metrics/test_accuracy", ndim=1),
        E("/metrics/test_top5_accuracy", ndim=1, optional=True),
        E("/metrics/epoch_seconds", ndim=1),
        G("/orthogonality", ["description"], optional=True, doc="`/orthogonality`"),
        E("/orthogonality/layers", ndim=1, optional=True),
        E("/orthogonality/error", ndim=2, optional=True),
        G("/alignment", ["description"], optional=True, doc="`/alignment`"),
        E("/alignment/step", ndim=1, optional=True),
        E("/alignment/(cosine|angle_deg)", ndim=2, optional=True, doc="`/alignment/angle_deg`"),
        G("/settling", ["description"], optional=True, doc="`/settling`"),
        E("/settling/epoch", ndim=1, optional=True, doc="/settling/epoch"),
        E("/settling/(free|target)_(steps|time_ms)_(mean|max)", ndim=1, optional=True,
          doc="/settling/{free,target}_{steps,time_ms}_{mean,max}"),
        E("/settling/(free|target)_not_converged", ndim=1, optional=True,
          doc="/settling/{free,target}_not_converged"),
        G("/weights", ["input_width", "classes", "depth"], doc="`/weights` attributes"),
        G("/weights/<l>", ["name", "activation", "slope", "passed_on", "width", "wiring"] + CONV,
          doc="`wiring`"),
        E("/weights/<l>/W", ndim=2), E("/weights/<l>/b", ndim=1),
        E("/state/progress", ["progress_fields"], ndim=1),
        E("/state/loss_sum", ndim=1), E("/state/optimizer_steps", ndim=1),
        E("/state/optimizer/<moment>/W/<l>", ndim=2, optional=True),
        E("/state/optimizer/<moment>/b/<l>", ndim=1, optional=True),
        # network.dale dann
        E("/weights/<l>/(W_EE|W_IE|W_EI)", ndim=2, optional=True, doc="`/weights/<l>/W_EE`"),
        E("/state/optimizer/<moment>/(W_EE|W_IE|W_EI)/<l>", ndim=2, optional=True,
          doc="`<moment>/W_EE/<l>`"),
    ]),
    "align": ("file-formats.md", [
        G("/", ["algorithm", "gamma", "adaptive_gamma", "loss", "classes", "precision", "config",
                "feedback_mode", "convention"], doc="`feedback_mode` (`exact` or `learned`)"),
        E("/x", ndim=2), E("/y", ndim=1),
        G("/layers/<l>", ["activation", "slope", "name", "wiring"] + CONV,
          doc="Group attributes of `/layers/<l>`: `activation`, `slope`"),
        E("/layers/<l>/W", ndim=2, doc="`/layers/<l>/W`"), E("/layers/<l>/b", ndim=1,
                                                              doc="`/layers/<l>/b`"),
        E("/layers/<l>/dW", ndim=2, doc="`/layers/<l>/dW`"),
        E("/layers/<l>/db", ndim=1, doc="`/layers/<l>/db`"),
        E("/layers/<l>/dW_bp", ndim=2, doc="`/layers/<l>/dW_bp`"),
        E("/layers/<l>/db_bp", ndim=1, doc="`/layers/<l>/db_bp`"),
        E("/layers/<l>/(W_EE|W_IE|W_EI)", ndim=2, optional=True, doc="`/layers/<l>/W_EE`"),
    ]),
    "settle": ("file-formats.md", [
        G("/", ["format", "format_version", "config", "algorithm", "precision", "stepper",
                "feedback", "feedback_mode", "tau_ms", "dt_ms", "tol", "depth", "convention",
                "trajectory_ms"],
          doc='`format = "gaitsim-settle"`'),
        E("/x", ndim=2), E("/stimulus_id", ndim=1), E("/labels", ndim=1),
        E("/(layer_names|layer_widths)", ndim=1, doc="`/layer_names`, `/layer_widths` (settle)"),
        G("/layers/<name>", ["index", "width", "passed_on", "activation"],
          doc="Group attributes of `/layers/<name>` (settle)"),
        E("/layers/<name>/(rates|targets|target_delta|settled_delta)", ndim=2,
          doc="`/layers/<name>/settled_delta`"),
        E("/layers/<name>/(dW_settle|dW_algebraic)", ndim=2, doc="`/layers/<name>/dW_algebraic`"),
        # the trajectories layout shared with record --trajectories (analysis/trajectory_file)
        E("/time_ms/(free|target)", ["description", "unit", "duration_ms", "record_every_ms",
                                     "tau_ms", "dt_ms", "stepper", "feedback", "tol"],
          ndim=1, doc="`/time_ms/free`, `/time_ms/target`"),
        E("/layers/<name>/(trajectory_free|trajectory_target|trajectory_target_delta)",
          ["description", "unit", "dims"], ndim=3, doc="`/layers/<name>/trajectory_target_delta`"),
        G("/trajectory_convergence", ["description", "tol"], doc="`/trajectory_convergence`"),
        E("/trajectory_convergence/(chunk_start|chunk_stimuli)", ndim=1,
          doc="`/trajectory_convergence/chunk_start`, `chunk_stimuli`"),
        E("/trajectory_convergence/(free|target)_(converged|steps)", ndim=1,
          doc="`/trajectory_convergence/{free,target}_converged`"),
        E("/trajectory_convergence/(free|target)_(time_ms|residual)", ["description"], ndim=1,
          doc="`/trajectory_convergence/{free,target}_time_ms`"),
    ]),
    "responses": ("file-formats.md", [
        G("/", ["format", "format_version", "gaitsim_format", "gaitsim_format_version", "complete",
                "config", "config_file", "checkpoint_path", "checkpoint_hash",
                "checkpoint_hash_algorithm", "weights", "stimuli", "stimulus_source",
                "stimulus_count", "classes", "algorithm", "precision", "feedback_mode",
                "layer_names", "targets_recorded", "trajectories_recorded", "?trajectory_ms", "created",
                "gaitsim_version"], doc="`targets_recorded`"),
        E("/stimulus_id", ["description"], ndim=1), E("/labels", ["description"], ndim=1),
        E("/layer_names", ["?description"], ndim=1), E("/layer_widths", ["?description"], ndim=1),
        G("/layers/<name>", ["index", "width", "passed_on", "activation", "slope", "description"],
          doc="Group attributes of `/layers/<name>`"),
        E("/layers/<name>/rates", ["description", "unit", "dims"], ndim=2),
        E("/layers/<name>/auxiliary", ["description"], ndim=1),
        E("/layers/<name>/(targets|target_delta)", ["description", "?unit", "?dims"], ndim=2,
          optional=True, doc="`/layers/<name>/target_delta`"),
        E("/layers/<name>/target_scale", ["description", "unit"], ndim=1, optional=True),
        E("/layers/<name>/interneuron_rates", ["description", "unit", "dims"], ndim=2,
          optional=True),
        # --trajectories
        E("/time_ms/(free|target)", ["description", "unit", "duration_ms", "record_every_ms",
                                     "tau_ms", "dt_ms", "stepper", "feedback", "tol"],
          ndim=1, optional=True, doc="`/time_ms/free`, `/time_ms/target`"),
        E("/layers/<name>/(trajectory_free|trajectory_target|trajectory_target_delta)",
          ["description", "unit", "dims"], ndim=3, optional=True,
          doc="`/layers/<name>/trajectory_target_delta`"),
        G("/trajectory_convergence", ["description", "tol"], optional=True,
          doc="`/trajectory_convergence`"),
        E("/trajectory_convergence/(chunk_start|chunk_stimuli)", ndim=1, optional=True,
          doc="`/trajectory_convergence/chunk_start`, `chunk_stimuli`"),
        E("/trajectory_convergence/(free|target)_(converged|steps)", ndim=1, optional=True,
          doc="`/trajectory_convergence/{free,target}_converged`"),
        E("/trajectory_convergence/(free|target)_(time_ms|residual)", ["description"], ndim=1,
          optional=True, doc="`/trajectory_convergence/{free,target}_time_ms`"),
    ]),
    "responses_nwb": ("file-formats.md", [
        G("/", ["nwb_version", "neurodata_type", "namespace", "object_id", "gaitsim_format",
                "gaitsim_format_version", "complete", "config", "config_file", "checkpoint_path",
                "checkpoint_hash", "checkpoint_hash_algorithm", "weights", "stimuli",
                "stimulus_source", "stimulus_count", "classes", "algorithm", "precision",
                "feedback_mode", "layer_names", "created", "gaitsim_version"],
          doc="Root: attributes `nwb_version`, `neurodata_type = NWBFile`"),
        E("/(identifier|session_description|session_start_time|timestamps_reference_time)",
          ndim=0, doc="`timestamps_reference_time`"),
        E("/file_create_date", ndim=1, doc="`file_create_date` (1) string"),
        G("/(acquisition|analysis|processing|general|intervals)", [],
          doc="groups `acquisition`, `analysis`, `processing`, `general`"),
        G("/stimulus/(presentation|templates)", [],
          doc="`stimulus/presentation`, `stimulus/templates`"),
        E("/general/source_script", ["file_name"], ndim=0, doc="`/general/source_script`"),
        E("/general/notes", ndim=0, doc="`/general/notes`"),
        G("/processing/gaitsim", ["description", "neurodata_type", "namespace", "object_id"],
          doc="`/processing/gaitsim`"),
        G("/processing/gaitsim/<name>", ["description", "comments", "neurodata_type", "namespace",
                                         "object_id"], doc="`/processing/gaitsim/<name>`"),
        E("/processing/gaitsim/<name>/data", ["unit", "conversion", "offset", "resolution",
                                              "description", "dims"], ndim=2,
          doc="`data` (N, n_l) with attributes `unit`, `conversion`"),
        E("/processing/gaitsim/<name>/timestamps", ["interval", "unit"], ndim=1,
          doc="`timestamps` (N) float64 [s] with `interval` = 1"),
        G("/intervals/trials", ["colnames", "description", "neurodata_type", "namespace",
                                "object_id"], doc="`/intervals/trials`"),
        E("/intervals/trials/id", ["neurodata_type", "namespace", "object_id"], ndim=1,
          doc="`id` ElementIdentifiers column"),
        E("/intervals/trials/(start_time|stop_time|stimulus_id|label|phase)",
          ["description", "neurodata_type", "namespace", "object_id"], ndim=1,
          doc="VectorData columns `start_time`"),
    ]),
    "comparison": ("file-formats.md", [
        G("/", ["format", "responses", "recordings", "seed", "folds", "inner_folds", "splits",
                "created", "description"], doc="`inner_folds`"),
        E("/(layer|metric)", ndim=1, doc="`/layer`, `/metric`"),
        E("/(score|ceiling|normalised)", ndim=1, doc="`/score`, `/ceiling`, `/normalised`"),
        E("/(ceiling_lower|ceiling_upper)", ndim=1, doc="`/ceiling_lower`, `/ceiling_upper`"),
        E("/(stimuli|units|neurons)", ndim=1, doc="`/stimuli`, `/units`, `/neurons`"),
        E("/stimulus_id", ndim=1), E("/neurons_used", ndim=1, optional=True),
        E("/ridge_r/<layer>", ndim=1, optional=True),
        E("/neuron_reliability", ndim=1, optional=True),
        E("/neuron_ceiling", ndim=1, optional=True),
    ]),
    "summary": ("cluster.md", [
        G("/", ["parameters", "parameter_datasets", "points", "complete", "diverged",
                "unfinished", "lost", "missing", "sweep_digest", "base"],
          doc="`parameter_datasets`"),
        G("/points", ["name", "status"], doc="attributes `/points` `name`, `status`"),
        E("/points/<key>", ["key", "?categories"], ndim=1, doc="`/points/<key>`"),
        E("/aggregate/<key>", ["key", "?categories"], ndim=1, doc="`/aggregate/<key>`"),
        # Columns with fixed names are matched first (below <key> they would match anything).
    ]),
}
SUMMARY_FIXED = {
    "/points": ["seed", "epochs", "diverged", "lost_on_rank", "final_test_accuracy",
                "best_test_accuracy", "final_test_loss", "final_train_accuracy", "wall_seconds"],
    "/aggregate": ["seeds", "complete", "diverged", "unfinished"] + [
        m + s for m in ["final_test_accuracy", "best_test_accuracy", "final_test_loss",
                        "final_train_accuracy", "wall_seconds"] for s in ["_mean", "_sd"]],
}


def objects(f):
    """Every group and dataset, by absolute path (the root is '/')."""
    out = {"/": f}
    f.visititems(lambda name, obj: out.__setitem__("/" + name, obj))
    return out


def check(kind, path, docs_dir):
    doc_file, entries = SCHEMA[kind]
    problems = []
    with open(os.path.join(docs_dir, doc_file), encoding="utf-8") as d:
        doc_text = d.read()
    for e in entries:
        if e.doc not in doc_text:
            problems.append(f"schema entry {e.pattern}: '{e.doc}' is not in docs/{doc_file}")
        for a in e.attrs:
            if f"`{a}`" not in doc_text and f"`{a} =" not in doc_text:
                problems.append(f"attribute {a} of {e.pattern} is not named in docs/{doc_file}")
    with h5py.File(path, "r") as f:
        found = {e.pattern: 0 for e in entries}
        for p, obj in objects(f).items():
            is_group = isinstance(obj, h5py.Group)
            match = None
            if kind == "summary" and not is_group:
                parent, name = p.rsplit("/", 1)
                if name in SUMMARY_FIXED.get(parent, []):
                    obj[()]  # readable
                    if obj.attrs.keys():
                        problems.append(f"{p}: undocumented attributes {sorted(obj.attrs.keys())}")
                    continue
            for e in entries:
                if e.group == is_group and e.regex.match(p):
                    match = e
                    break
            if match is None:
                if is_group and not obj.attrs.keys():
                    continue  # a plain folder of documented datasets
                problems.append(f"{p}: undocumented {'group' if is_group else 'dataset'}")
                continue
            found[match.pattern] += 1
            if not is_group:
                value = obj[()]  # every dataset must be readable
                if match.ndim is not None and np.ndim(value) != match.ndim:
                    problems.append(f"{p}: {np.ndim(value)} dimensions, documented {match.ndim}")
            for a in obj.attrs.keys():
                obj.attrs[a]  # readable
                if a not in match.attrs:
                    problems.append(f"{p}: undocumented attribute {a}")
            for a in match.required_attrs:
                if a not in obj.attrs:
                    problems.append(f"{p}: documented attribute {a} is missing")
        for e in entries:
            if not e.optional and found[e.pattern] == 0:
                problems.append(f"{e.pattern}: documented but not in the file")
        if kind == "summary":
            for parent, names in SUMMARY_FIXED.items():
                for n in names:
                    if f"{parent[1:]}/{n}" not in f:
                        problems.append(f"{parent}/{n}: documented but not in the file")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=sorted(SCHEMA))
    ap.add_argument("file")
    ap.add_argument("--docs", default=os.path.join(os.path.dirname(__file__), "..", "..", "docs"))
    o = ap.parse_args()
    problems = check(o.kind, o.file, o.docs)
    for p in problems:
        print(f"{o.kind} {o.file}: {p}")
    print(("FAIL" if problems else "PASS") + f" {o.kind}: {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
