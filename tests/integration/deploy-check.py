#!/usr/bin/python3
"""deploy-check.py CHECK DEPLOY_DIR SRCDIR: checks the manifests and config snippets in deploy/
against the project.  CHECK is one of parse, binaries, paths, annotations, cni, references, or
all.  Prints one line per problem and exits 1 if there is any; 0 otherwise.

Names are looked up in the project itself (the automake files for installed programs, the C
sources for paths, annotation keys and netplug config fields), so a manifest that names something
the project does not have fails, and so does a rename in the project that the manifests miss."""
import glob
import json
import os
import re
import subprocess
import sys

import yaml

try:
    import tomllib
except ImportError:  # Python < 3.11 (Debian 12 has 3.11)
    tomllib = None

problems = []


def problem(where, msg):
    problems.append("%s: %s" % (where, msg))


def source_files(src, *dirs):
    out = []
    for d in dirs:
        out += glob.glob(os.path.join(src, d, "**", "*.[ch]"), recursive=True)
    return [f for f in out if "/tests/" not in f]


def c_literals(files):
    lits = set()
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            lits.update(re.findall(r'"((?:[^"\\\n]|\\.)*)"', fh.read()))
    return lits


def load(deploy):
    """Every file of deploy/: YAML documents, TOML tables, and raw text, by file name."""
    docs, tomls, text = {}, {}, {}
    for f in sorted(os.listdir(deploy)):
        p = os.path.join(deploy, f)
        with open(p, encoding="utf-8") as fh:
            raw = text[f] = fh.read()
        if f.endswith(".yaml"):
            try:
                docs[f] = [d for d in yaml.safe_load_all(raw) if d is not None]
            except yaml.YAMLError as e:
                problem(f, "YAML does not parse: %s" % e)
        elif f.endswith((".toml", ".conf")):
            if tomllib is None:
                problem(f, "python3 lacks tomllib (3.11+): cannot check TOML")
                continue
            try:
                tomls[f] = tomllib.loads(raw)
            except tomllib.TOMLDecodeError as e:
                problem(f, "TOML does not parse: %s" % e)
    return docs, tomls, text


def code(t):
    """t without whole-line comments, which may name things outside the project."""
    return re.sub(r"^[ \t]*#.*\n", "", t, flags=re.M)


def objects(docs, kind):
    return [(f, d) for f, ds in docs.items() for d in ds if d.get("kind") == kind]


def check_parse(docs, tomls, text):
    for f, ds in docs.items():
        if not ds:
            problem(f, "no YAML document")
        for d in ds:
            for key in ("apiVersion", "kind"):
                if not isinstance(d.get(key), str):
                    problem(f, "a document without %s" % key)
            if not (d.get("metadata") or {}).get("name"):
                problem(f, "a %s without metadata.name" % d.get("kind"))
    if not any(f.endswith(".yaml") for f in text):
        problem("deploy", "no manifests")


def installed_programs(src):
    """{'/usr/local/bin/cnfrun': 'cnfrun', ...} from the automake files (prefix /usr/local)."""
    progs = {}
    for mk in [os.path.join(src, "Makefile.am")] + glob.glob(os.path.join(src, "*", "local.mk")):
        with open(mk) as fh:
            for kind, names in re.findall(r"^(bin|sbin)_PROGRAMS[ \t]*\+?=[ \t]*(.*)$", fh.read(), re.M):
                for n in names.split():
                    progs["/usr/local/%s/%s" % (kind, os.path.basename(n))] = n
    return progs


def check_binaries(docs, tomls, text, src):
    progs = installed_programs(src)
    if "/usr/local/bin/cnfrun" not in progs:
        problem("Makefile.am", "cnfrun is not an installed program (the automake files changed?)")
    for f, t in text.items():
        t = code(t)
        for path in sorted(set(re.findall(r"/usr/local/s?bin/[\w.-]+", t))):
            if path not in progs:
                problem(f, "%s is not a program the project installs (%s)" % (path, ", ".join(sorted(progs))))
        for name in sorted(set(re.findall(r"/opt/cni/bin/([\w-]+)", t))):
            if "/usr/local/bin/" + name not in progs:
                problem(f, "/opt/cni/bin/%s: no installed program of that name" % name)
    for f, d in objects(docs, "NetworkAttachmentDefinition"):
        try:
            t = json.loads(d["spec"]["config"]).get("type")
        except (KeyError, TypeError, ValueError):
            continue
        if "/usr/local/bin/%s" % t not in progs:
            problem(f, 'CNI "type": "%s" is not a plugin the project installs' % t)
    # Programs a manifest runs by name from the image: Debian's dpdk package must ship them.
    for f, t in text.items():
        t = code(t)
        for name in sorted(set(re.findall(r"\b(dpdk-[\w-]+)", t))):
            if not any(os.path.exists(os.path.join(d, name)) for d in ("/usr/bin", "/usr/local/bin")):
                problem(f, "%s is not installed here (Debian package dpdk)" % name)


def check_paths(docs, tomls, text, src):
    lits = c_literals(source_files(src, "runtime", "netplug", "cgroups", "lib"))
    dirs = {l for l in lits if l.startswith("/")}

    def known(p):
        p = p.rstrip("/")
        return (p in dirs or any(l.startswith(p + "/") for l in dirs)
                or os.path.dirname(p) in dirs)

    for f, t in text.items():
        t = code(t)
        for p in sorted(set(re.findall(r"(/(?:run|var/run|var/lib)/(?:netplug|cnfrun)[\w./-]*)", t))):
            if not known(p):
                problem(f, "%s: the project's sources use no such path" % p)
    if "/run/netplug/pods" not in lits:
        problem("runtime", "cnfrun's netplug pod directory is no longer /run/netplug/pods")


# Keys read by components outside the project (Multus, the SR-IOV network device plugin).
EXTERNAL_ANNOTATIONS = {"k8s.v1.cni.cncf.io/networks", "k8s.v1.cni.cncf.io/resourceName"}


def check_annotations(docs, tomls, text, src):
    lits = c_literals(source_files(src, "runtime", "cgroups", "netplug"))
    used = {}
    for f, ds in docs.items():
        for d in ds:
            for key in ((d.get("metadata") or {}).get("annotations") or {}):
                used.setdefault(key, f)
            tmpl = ((d.get("spec") or {}).get("template") or {}).get("metadata") or {}
            for key in tmpl.get("annotations") or {}:
                used.setdefault(key, f)
    pod_ann, allowed = containerd_runtime(tomls).get("pod_annotations", []), crio_runtime(tomls).get(
        "allowed_annotations", [])
    for key in pod_ann:
        used.setdefault(key, "containerd pod_annotations")
    for key in allowed:
        used.setdefault(key, "CRI-O allowed_annotations")
    for key, f in sorted(used.items()):
        if key in EXTERNAL_ANNOTATIONS:
            continue
        if key not in lits:
            problem(f, "annotation %s: no source file of the project reads it" % key)
    # A pod annotation cnfrun acts on must be passed through by both CRI runtimes.
    for f, d in objects(docs, "Pod"):
        for key in (d["metadata"].get("annotations") or {}):
            if key in EXTERNAL_ANNOTATIONS or key not in lits:
                continue
            if key not in pod_ann:
                problem(f, "annotation %s is not in containerd's pod_annotations: it would not reach cnfrun" % key)
            if key not in allowed:
                problem(f, "annotation %s is not in CRI-O's allowed_annotations: CRI-O would drop it" % key)


def containerd_runtime(tomls):
    for t in tomls.values():
        r = (((t.get("plugins") or {}).get("io.containerd.grpc.v1.cri") or {}).get("containerd") or {})
        if r.get("runtimes"):
            return next(iter(r["runtimes"].values()))
    return {}


def containerd_handlers(tomls):
    for t in tomls.values():
        r = (((t.get("plugins") or {}).get("io.containerd.grpc.v1.cri") or {}).get("containerd") or {})
        if r.get("runtimes"):
            return set(r["runtimes"])
    return set()


def crio_runtime(tomls):
    for t in tomls.values():
        r = ((t.get("crio") or {}).get("runtime") or {}).get("runtimes") or {}
        if r:
            return next(iter(r.values()))
    return {}


def crio_handlers(tomls):
    for t in tomls.values():
        r = ((t.get("crio") or {}).get("runtime") or {}).get("runtimes") or {}
        if r:
            return set(r)
    return set()


# CNI fields every plugin may get (the spec's, plus Multus' runtimeConfig).
CNI_STANDARD = {"cniVersion", "name", "type", "ipam", "dns", "args", "capabilities", "runtimeConfig",
                "prevResult"}


def check_cni(docs, tomls, text, src):
    fields = c_literals([os.path.join(src, "netplug", "cni", "config.c")])
    versions = c_literals(source_files(src, "netplug"))
    nads = objects(docs, "NetworkAttachmentDefinition")
    if not nads:
        problem("deploy", "no NetworkAttachmentDefinition")
    for f, d in nads:
        try:
            conf = json.loads(d["spec"]["config"])
        except (KeyError, TypeError, ValueError) as e:
            problem(f, "spec.config is not JSON: %s" % e)
            continue
        for key in sorted(set(conf) - CNI_STANDARD):
            if key not in fields:
                problem(f, 'config field "%s": netplug does not read it (netplug/cni/config.c)' % key)
        if conf.get("cniVersion") not in versions:
            problem(f, 'cniVersion "%s" is not one netplug supports' % conf.get("cniVersion"))
        mode = conf.get("mode", "sriov")
        if mode not in fields:
            problem(f, 'mode "%s" is not a netplug mode' % mode)
        if conf.get("name") != d["metadata"]["name"]:
            problem(f, "config name %s differs from the object's name %s" % (conf.get("name"), d["metadata"]["name"]))
        ann = d["metadata"].get("annotations") or {}
        if mode == "sriov" and not ann.get("k8s.v1.cni.cncf.io/resourceName"):
            problem(f, "an SR-IOV network without the device plugin's k8s.v1.cni.cncf.io/resourceName")
        net = conf.get("network")
        if net and not any(re.search(r"network add %s\b" % re.escape(net), t) for t in text.values()):
            problem(f, 'netplugd network "%s" is created by no manifest' % net)


def containers(d):
    spec = d.get("spec") or {}
    if "template" in spec:
        spec = spec["template"].get("spec") or {}
    return spec, (spec.get("initContainers") or []) + (spec.get("containers") or [])


def check_references(docs, tomls, text, src):
    rcs = objects(docs, "RuntimeClass")
    if len(rcs) != 1:
        problem("deploy", "expected one RuntimeClass, found %d" % len(rcs))
        return
    rc = rcs[0][1]
    for name, handlers in (("containerd", containerd_handlers(tomls)), ("CRI-O", crio_handlers(tomls))):
        if rc.get("handler") not in handlers:
            problem(rcs[0][0], "handler %s is not a %s runtime (%s)" % (rc.get("handler"), name, sorted(handlers)))
    if containerd_runtime(tomls).get("runtime_type") != "io.containerd.runc.v2":
        problem("containerd", "runtime_type must be io.containerd.runc.v2 (the runc shim calls cnfrun)")
    nad_names = {d["metadata"]["name"] for _, d in objects(docs, "NetworkAttachmentDefinition")}
    images = set()
    for f, ds in docs.items():
        for d in ds:
            spec, cs = containers(d)
            images.update(c.get("image") for c in cs)
    m = re.search(r"-t (\S+) \.", text.get("Containerfile", ""))
    if not m:
        problem("Containerfile", "missing, or its build command names no tag")
    elif images - {m.group(1)}:
        problem("deploy", "images %s are not the one deploy/Containerfile builds (%s)" % (sorted(images - {m.group(1)}), m.group(1)))
    for f, d in objects(docs, "DaemonSet"):
        spec, cs = containers(d)
        for c in cs:
            for mount in c.get("volumeMounts") or []:
                if not any(v["name"] == mount["name"] for v in spec.get("volumes") or []):
                    problem(f, "volumeMount %s has no volume" % mount["name"])
    netplugd = [d for f, d in objects(docs, "DaemonSet") if "/usr/local/sbin/netplugd" in json.dumps(d)]
    if not netplugd:
        problem("deploy", "no DaemonSet runs netplugd")
    for d in netplugd:
        spec, cs = containers(d)
        host = {v["hostPath"]["path"] for v in spec.get("volumes") or [] if "hostPath" in v}
        for p in ("/run/netplug", "/run/netplugd"):
            if p not in host:
                problem("netplugd DaemonSet", "no hostPath volume for %s" % p)
        if not any((c.get("securityContext") or {}).get("privileged") for c in cs):
            problem("netplugd DaemonSet", "not privileged")
        if not any("hugepages-2Mi" in ((c.get("resources") or {}).get("limits") or {}) for c in cs):
            problem("netplugd DaemonSet", "no hugepages")
    for f, d in objects(docs, "Pod"):
        spec, cs = containers(d)
        if spec.get("runtimeClassName") != rc["metadata"]["name"]:
            problem(f, "runtimeClassName %s is not the RuntimeClass %s" % (spec.get("runtimeClassName"), rc["metadata"]["name"]))
        nets = json.loads(d["metadata"].get("annotations", {}).get("k8s.v1.cni.cncf.io/networks", "[]"))
        for n in nets:
            if n["name"] not in nad_names:
                problem(f, "network %s: no such NetworkAttachmentDefinition" % n["name"])
            if n.get("interface") and "/run/netplug/%s.sock" % n["interface"] not in json.dumps(d):
                problem(f, "interface %s: the container does not use /run/netplug/%s.sock" % (n["interface"], n["interface"]))
        hp_vols = {v["name"] for v in spec.get("volumes") or [] if (v.get("emptyDir") or {}).get("medium") == "HugePages"}
        for c in cs:
            req, lim = (c.get("resources") or {}).get("requests"), (c.get("resources") or {}).get("limits")
            if not lim or req != lim:
                problem(f, "container %s: requests must equal limits (Guaranteed QoS)" % c["name"])
                continue
            if not re.fullmatch(r"[1-9][0-9]*", str(lim.get("cpu", ""))):
                problem(f, "container %s: cpu %s is not an integer (no exclusive CPUs)" % (c["name"], lim.get("cpu")))
            if not any(k.startswith("hugepages-") for k in lim):
                problem(f, "container %s: no hugepages" % c["name"])
            if not any(m["name"] in hp_vols for m in c.get("volumeMounts") or []):
                problem(f, "container %s: no HugePages volume mounted" % c["name"])


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: deploy-check.py parse|binaries|paths|annotations|cni|references|all DEPLOY_DIR SRCDIR")
    check, deploy, src = sys.argv[1:]
    docs, tomls, text = load(deploy)
    checks = {"parse": check_parse, "binaries": check_binaries, "paths": check_paths,
              "annotations": check_annotations, "cni": check_cni, "references": check_references}
    for name, fn in checks.items():
        if check in (name, "all"):
            if name == "parse":
                fn(docs, tomls, text)
            else:
                fn(docs, tomls, text, src)
    if check not in checks and check != "all":
        sys.exit("unknown check %s" % check)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


main()
