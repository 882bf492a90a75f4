#!/usr/bin/python3
"""Offline checks of deploy/container/Containerfile and deploy/kubernetes/*.yaml (no container
engine or cluster here): the manifests parse and have their required fields, and the container,
the Kubernetes objects and systemd/ccpulse.service agree with each other and with the daemon.

usage: check_manifests.py SOURCE_DIR CCPULSED

Checks, each reported on its own line; exit 1 if any fails:
  - every YAML document parses (python3-yaml) and has apiVersion, kind, metadata.name;
    kustomization.yaml lists existing files;
  - the ConfigMap's ccpulse.yaml is deploy/container/ccpulse.yaml, and `ccpulsed --check-config`
    accepts it; the ports it listens on are the ports the Deployment, Services and image expose;
  - Deployment: one replica, selector = template labels, readinessProbe /readyz and livenessProbe
    /healthz on the HTTP port, runAsNonRoot with a non-zero uid (the image's USER),
    readOnlyRootFilesystem, no privilege escalation, capabilities drop ALL, cpu/memory requests
    and limits, config mounted read-only at /etc/ccpulse from the ConfigMap, writable
    /var/lib/ccpulse;
  - Services select the pod and target its named ports; the optional ServiceMonitor selects the
    metrics Service and its port;
  - Containerfile: Debian 12 bases, build stage uses scripts/install-deps.sh, numeric non-root
    USER, EXPOSE 9464 5555, HEALTHCHECK on /healthz, ENTRYPOINT/CMD with /etc/ccpulse/ccpulse.yaml;
    the runtime packages provide every shared library ccpulsed needs (readelf NEEDED -> dpkg -S);
    the files the build stage COPYs are enough to configure the project (cmake, tests off);
  - systemd/ccpulse.service (when present): same config path, state directory and stop timeout.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1
    return ok


def dig(obj, *path, default=None):
    for key in path:
        if isinstance(obj, dict) and key in obj:
            obj = obj[key]
        elif isinstance(obj, list) and isinstance(key, int) and key < len(obj):
            obj = obj[key]
        else:
            return default
    return obj


def port_of(hostport):
    return int(hostport.rsplit(":", 1)[1])


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, ccpulsed = os.path.abspath(sys.argv[1]), sys.argv[2]
    kdir = os.path.join(src, "deploy/kubernetes")
    cdir = os.path.join(src, "deploy/container")

    # ---- YAML documents ----------------------------------------------------------------------
    objects = {}
    files = sorted(f for f in os.listdir(kdir) if f.endswith((".yaml", ".yml")))
    for name in files:
        with open(os.path.join(kdir, name)) as f:
            try:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
            except yaml.YAMLError as e:
                check(False, f"{name}: parses ({e})")
                continue
        check(bool(docs), f"{name}: parses, {len(docs)} document(s)")
        for d in docs:
            kind = d.get("kind")
            if kind == "Kustomization":
                for res in d.get("resources", []):
                    check(os.path.isfile(os.path.join(kdir, res)), f"kustomization: resource {res} exists")
                continue
            check(bool(d.get("apiVersion") and kind and dig(d, "metadata", "name")),
                  f"{name}: {kind}/{dig(d, 'metadata', 'name')} has apiVersion, kind, metadata.name")
            objects.setdefault(kind, []).append(d)

    # ---- ConfigMap and the config it holds ---------------------------------------------------
    (cm,) = objects.get("ConfigMap", [None])
    config_text = dig(cm, "data", "ccpulse.yaml", default="")
    with open(os.path.join(cdir, "ccpulse.yaml")) as f:
        check(config_text == f.read(), "ConfigMap ccpulse.yaml == deploy/container/ccpulse.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ccpulse.yaml")
        with open(path, "w") as f:
            f.write(config_text)
        r = subprocess.run([ccpulsed, "--check-config", "--config", path], capture_output=True, text=True)
        check(r.returncode == 0, f"ccpulsed --check-config accepts the ConfigMap's config {r.stdout.strip()} {r.stderr.strip()}")
    config = yaml.safe_load(config_text)
    http_port = port_of(config["http"]["listen"])
    host = config["http"]["listen"].rsplit(":", 1)[0]
    check(host in ("0.0.0.0", "[::]"), f"config: http.listen on every interface ({host}), else probes and scrapes fail")
    zmq_ports = []
    for s in config["sources"]:
        m = re.match(r"tcp://([^:]+|\[[^]]+\]):(\d+)$", s["endpoint"])
        check(bool(m) and s.get("bind", True) and m.group(1) in ("*", "0.0.0.0", "[::]"),
              f"config: source {s['name']} binds tcp on every interface ({s['endpoint']})")
        if m:
            zmq_ports.append(int(m.group(2)))
    check(http_port == 9464 and zmq_ports == [5555], f"config ports: http {http_port}, zmq {zmq_ports} (9464, [5555])")

    # ---- Deployment --------------------------------------------------------------------------
    (dep,) = objects.get("Deployment", [None])
    spec = dig(dep, "spec", default={})
    tmpl_labels = dig(spec, "template", "metadata", "labels", default={})
    check(spec.get("replicas") == 1, "Deployment: replicas 1 (one owner per queue)")
    sel = dig(spec, "selector", "matchLabels", default={})
    check(bool(sel) and sel.items() <= tmpl_labels.items(), "Deployment: selector matches the template labels")
    pod = dig(spec, "template", "spec", default={})
    (ctr,) = pod.get("containers", [None])
    named = {p["name"]: p["containerPort"] for p in ctr.get("ports", [])}
    check(sorted(named.values()) == sorted([http_port] + zmq_ports), f"Deployment: containerPorts {named}")
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        get = dig(ctr, probe, "httpGet", default={})
        port = named.get(get.get("port"), get.get("port"))
        check(get.get("path") == path and port == http_port, f"Deployment: {probe} GET {path} on {http_port} ({get})")
    psc, csc = pod.get("securityContext", {}), ctr.get("securityContext", {})
    uid = csc.get("runAsUser", psc.get("runAsUser"))
    check(psc.get("runAsNonRoot") is True or csc.get("runAsNonRoot") is True, "Deployment: runAsNonRoot")
    check(isinstance(uid, int) and uid > 0, f"Deployment: runAsUser {uid} non-zero")
    check(csc.get("readOnlyRootFilesystem") is True, "Deployment: readOnlyRootFilesystem")
    check(csc.get("allowPrivilegeEscalation") is False, "Deployment: allowPrivilegeEscalation false")
    check(dig(csc, "capabilities", "drop") == ["ALL"] and not dig(csc, "capabilities", "add"),
          "Deployment: capabilities drop ALL, add none")
    res = ctr.get("resources", {})
    check(all(dig(res, k, r) for k in ("requests", "limits") for r in ("cpu", "memory")),
          "Deployment: cpu and memory requests and limits")
    argv = ctr.get("command", []) + ctr.get("args", [])
    check(argv[:1] == ["/usr/bin/ccpulsed"] and "--config" in argv
          and argv[argv.index("--config") + 1] == "/etc/ccpulse/ccpulse.yaml",
          f"Deployment: runs /usr/bin/ccpulsed --config /etc/ccpulse/ccpulse.yaml ({argv})")
    mounts = {m["mountPath"]: m for m in ctr.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    cfg_mount = mounts.get("/etc/ccpulse", {})
    check(cfg_mount.get("readOnly") is True
          and dig(volumes, cfg_mount.get("name"), "configMap", "name") == dig(cm, "metadata", "name"),
          "Deployment: ConfigMap mounted read-only at /etc/ccpulse")
    state = mounts.get("/var/lib/ccpulse", {})
    check(bool(state) and not state.get("readOnly") and state.get("name") in volumes,
          "Deployment: writable /var/lib/ccpulse (the StateDirectory)")
    check(ctr.get("workingDir") == "/var/lib/ccpulse", "Deployment: workingDir /var/lib/ccpulse")

    # ---- Services and ServiceMonitor ---------------------------------------------------------
    services = objects.get("Service", [])
    covered = set()
    for svc in services:
        name = dig(svc, "metadata", "name")
        selector = dig(svc, "spec", "selector", default={})
        check(bool(selector) and selector.items() <= tmpl_labels.items(), f"Service {name}: selects the ccpulse pod")
        for p in dig(svc, "spec", "ports", default=[]):
            target = named.get(p.get("targetPort"), p.get("targetPort"))
            check(target in named.values(), f"Service {name}: port {p.get('port')} -> container port {target}")
            covered.add(target)
    check(covered == set(named.values()), f"Services cover the HTTP and ZeroMQ ports ({sorted(covered)})")
    for sm in objects.get("ServiceMonitor", []):
        want = dig(sm, "spec", "selector", "matchLabels", default={})
        hits = [s for s in services if want and want.items() <= dig(s, "metadata", "labels", default={}).items()]
        ports = {p.get("name") for s in hits for p in dig(s, "spec", "ports", default=[])}
        eps = dig(sm, "spec", "endpoints", default=[])
        check(len(hits) == 1 and eps and all(e.get("port") in ports for e in eps)
              and all(e.get("path", "/metrics") == "/metrics" for e in eps),
              f"ServiceMonitor: selects one Service ({[dig(s, 'metadata', 'name') for s in hits]}) and its port")
        job_label = dig(sm, "spec", "jobLabel")
        check(not job_label or dig(hits[0] if hits else {}, "metadata", "labels", job_label) == "ccpulse",
              "ServiceMonitor: job label value is ccpulse (the job of deploy/prometheus rules)")

    # ---- Containerfile -----------------------------------------------------------------------
    with open(os.path.join(cdir, "Containerfile")) as f:
        text = re.sub(r"\\\n", " ", f.read())
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    instr = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in lines]
    froms = [a.split()[0] for i, a in instr if i == "FROM"]
    check(len(froms) >= 2 and all(re.match(r"debian:12(-slim)?$", b) for b in froms), f"Containerfile: Debian 12 bases {froms}")
    runs = " ".join(a for i, a in instr if i == "RUN")
    check("scripts/install-deps.sh" in runs, "Containerfile: build stage installs with scripts/install-deps.sh")
    users = [a for i, a in instr if i == "USER"]
    image_uid = users[-1].split(":")[0] if users else "0"
    check(image_uid.isdigit() and int(image_uid) > 0 and int(image_uid) == uid,
          f"Containerfile: numeric non-root USER {users[-1:]} == Deployment runAsUser {uid}")
    exposed = {int(p.split("/")[0]) for i, a in instr if i == "EXPOSE" for p in a.split()}
    check(exposed == {http_port, *zmq_ports}, f"Containerfile: EXPOSE {sorted(exposed)}")
    health = " ".join(a for i, a in instr if i == "HEALTHCHECK")
    check(f"127.0.0.1:{http_port}/healthz" in health, "Containerfile: HEALTHCHECK on /healthz")
    entry = " ".join(a for i, a in instr if i in ("ENTRYPOINT", "CMD"))
    check("/usr/bin/ccpulsed" in entry and "/etc/ccpulse/ccpulse.yaml" in entry,
          "Containerfile: ENTRYPOINT/CMD run /usr/bin/ccpulsed --config /etc/ccpulse/ccpulse.yaml")
    check(any(i == "COPY" and a.split()[-2:] == ["deploy/container/ccpulse.yaml", "/etc/ccpulse/ccpulse.yaml"]
              for i, a in instr), "Containerfile: ships deploy/container/ccpulse.yaml as /etc/ccpulse/ccpulse.yaml")
    check(("WORKDIR", "/var/lib/ccpulse") in instr, "Containerfile: WORKDIR /var/lib/ccpulse")

    # Runtime packages vs the libraries ccpulsed needs (base packages of debian:12-slim excluded).
    runtime = text.split("FROM debian:12-slim", 1)[-1]
    m = re.search(r"apt-get install[^&]*", runtime)
    apt = set(m.group(0).split()) if m else set()
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                        subprocess.run(["readelf", "-d", ccpulsed], capture_output=True, text=True).stdout)
    base = {"libc6", "libstdc++6", "libgcc-s1"}
    for lib in needed:
        r = subprocess.run(["dpkg", "-S", f"*/{lib}"], capture_output=True, text=True)
        pkgs = {l.split(":")[0] for l in r.stdout.splitlines() if l.strip()}
        check(bool(pkgs & (apt | base)), f"Containerfile: {lib} is provided by {sorted(pkgs) or '?'}")

    # The build stage's COPY set is enough to configure (tests off), i.e. nothing else is read.
    stage, copies = -1, []
    for i, a in instr:
        stage += i == "FROM"
        if i == "COPY" and stage == 0:
            copies.extend(shlex.split(a)[:-1])   # sources, relative to the context (WORKDIR /src)
    if shutil.which("cmake"):
        with tempfile.TemporaryDirectory() as tmp:
            for rel in copies:
                if os.path.isdir(os.path.join(src, rel)):
                    shutil.copytree(os.path.join(src, rel), os.path.join(tmp, rel))
                else:
                    os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
                    shutil.copy(os.path.join(src, rel), os.path.join(tmp, rel))
            r = subprocess.run(["cmake", "-S", tmp, "-B", os.path.join(tmp, "build"), "-DCCPULSE_BUILD_TESTS=OFF",
                                "-DCCPULSE_BUILD_BENCH=OFF"], capture_output=True, text=True)
            check(r.returncode == 0, "Containerfile: the build stage's COPY set configures with cmake"
                  + ("" if r.returncode == 0 else "\n" + r.stderr[-2000:]))

    # ---- systemd unit ------------------------------------------------------------------------
    unit_path = os.path.join(src, "systemd/ccpulse.service")
    if os.path.isfile(unit_path):
        unit = {}
        with open(unit_path) as f:
            for line in f:
                if "=" in line and not line.lstrip().startswith(("#", ";")):
                    k, v = line.split("=", 1)
                    unit.setdefault(k.strip(), []).append(v.strip())
        execstart = shlex.split(unit.get("ExecStart", [""])[-1])
        check(execstart[:1] == ["/usr/bin/ccpulsed"] and "--config" in execstart
              and execstart[execstart.index("--config") + 1] == "/etc/ccpulse/ccpulse.yaml",
              f"systemd: ExecStart uses the same binary and config path ({' '.join(execstart)})")
        check(unit.get("StateDirectory") == ["ccpulse"] and unit.get("WorkingDirectory", ["/var/lib/ccpulse"]) == ["/var/lib/ccpulse"],
              "systemd: StateDirectory=ccpulse, i.e. /var/lib/ccpulse")
        stop = unit.get("TimeoutStopSec", [None])[-1]
        if stop:
            check(stop == f"{pod.get('terminationGracePeriodSeconds')}s",
                  f"systemd TimeoutStopSec={stop} == Deployment terminationGracePeriodSeconds")
    else:
        print("skip systemd/ccpulse.service not present")

    print(f"{failures} failure(s)" if failures else "all manifest checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
