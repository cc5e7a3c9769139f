#!/usr/bin/env python3
"""Static checks of the container image, the compose file and the Kubernetes manifests.

Run by Deploy/check.sh inside its tool venv (.build-tools/deploy-venv, Deploy/requirements-check.txt), which puts
check-jsonschema and kubernetes-validate beside this interpreter. Each section prints what it checked; any problem
is printed with the file it is in, and makes the exit status 1.

    check.py containerfile compose kubernetes   the checks
    check.py --stage DIR                        write /etc/knutepunkt as the image has it (DIR/image) and as the
                                                Kubernetes ConfigMap has it (DIR/configmap), for `config check`
    check.py --write-configmap                  regenerate Deploy/kubernetes/configmap.yaml from its sources
"""

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parent.parent
CONTAINER = ROOT / "Deploy" / "container"
CONFIGS = CONTAINER / "configs"
KUBE = ROOT / "Deploy" / "kubernetes"
CONFIGMAP = KUBE / "configmap.yaml"
TOOLS = Path(sys.executable).parent

# The names every artefact must agree on.
IMAGE = "localhost/knutepunkt:0.1.0"
HUB_SERVICE = "knutepunkt-hub"  # compose service and Kubernetes Service; the nodes' configurations use it
STATE_DIR = "/var/lib/knutepunkt"
CONFIG_DIR = "/etc/knutepunkt"
METRICS_PORT = {"hub": 9464, "node": 9465}  # /metrics, /healthz, /readyz (the daemons' `http` key)
NAMESPACE = "knutepunkt"
KUBERNETES_VERSIONS = ["1.32.0", "1.37.0"]
DOCKERFILE_INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG",
    "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL", "MAINTAINER", "COMMENT",
}


class Section:
    """One group of checks: counts what passed, remembers what failed."""

    def __init__(self, name):
        self.name, self.passed, self.problems = name, 0, []

    def expect(self, condition, problem):
        if condition:
            self.passed += 1
        else:
            self.problems.append(problem)
        return bool(condition)

    def report(self, what):
        if self.problems:
            print(f"FAIL  {self.name}: {len(self.problems)} problem(s) ({what})")
            for problem in self.problems:
                print(f"      - {problem}")
        else:
            print(f"ok    {self.name}: {self.passed} checks ({what})")
        return not self.problems


def rel(path):
    return os.path.relpath(path, ROOT)


def load_yaml_documents(path):
    with open(path, encoding="utf-8") as file:
        return [doc for doc in yaml.safe_load_all(file) if doc is not None]


def tcp_host_port(endpoint):
    match = re.fullmatch(r"tcp://(.+):(\d+|\*)", endpoint or "")
    return (match.group(1), match.group(2)) if match else (None, None)


# ---- the container daemon configurations: the facts the other artefacts must match ----


class DaemonConfigs:
    def __init__(self):
        self.hub = yaml.safe_load((CONFIGS / "hub.yaml").read_text(encoding="utf-8"))["hub"]
        self.nodes = {}  # file name -> node mapping
        for path in sorted(CONFIGS.glob("node-*.yaml")):
            self.nodes[path.name] = yaml.safe_load(path.read_text(encoding="utf-8"))["node"]
        self.listen_port = int(tcp_host_port(self.hub["listen"])[1])
        self.publish_port = int(tcp_host_port(self.hub["publish"])[1])

    def check(self, s):
        hub_file = rel(CONFIGS / "hub.yaml")
        for key in ("listen", "publish"):
            host, port = tcp_host_port(self.hub[key])
            s.expect(host in ("*", "0.0.0.0") and port not in (None, "*"),
                     f"{hub_file}: hub.{key} must bind every interface on a fixed port (tcp://*:PORT), "
                     f"is {self.hub[key]}")
        s.expect(tcp_host_port(self.hub["control"])[0] == "127.0.0.1",
                 f"{hub_file}: hub.control must stay on 127.0.0.1 (it has no authentication)")
        s.expect(self.hub.get("http") == f"0.0.0.0:{METRICS_PORT['hub']}",
                 f"{hub_file}: hub.http must be 0.0.0.0:{METRICS_PORT['hub']} (Prometheus and the probes), "
                 f"is {self.hub.get('http')}")
        s.expect(self.hub["storage"].startswith(f"sqlite:{STATE_DIR}/"),
                 f"{hub_file}: hub.storage must be under the state volume {STATE_DIR}")
        grants = {(n["id"], n["region"]) for n in self.hub["nodes"]}
        configured = {(n["id"], n["region"]) for n in self.nodes.values()}
        s.expect(grants == configured,
                 f"{hub_file}: hub.nodes {sorted(grants)} differ from the node configurations {sorted(configured)}")
        for name, node in self.nodes.items():
            host, port = tcp_host_port(node["hub"])
            s.expect(host == HUB_SERVICE and port == str(self.listen_port),
                     f"{rel(CONFIGS / name)}: node.hub must be tcp://{HUB_SERVICE}:{self.listen_port}, "
                     f"is {node['hub']}")
            s.expect(tcp_host_port(node["control"])[0] == "127.0.0.1",
                     f"{rel(CONFIGS / name)}: node.control must stay on 127.0.0.1 (it has no authentication)")
            s.expect(node.get("http") == f"0.0.0.0:{METRICS_PORT['node']}",
                     f"{rel(CONFIGS / name)}: node.http must be 0.0.0.0:{METRICS_PORT['node']} (Prometheus and the "
                     f"probes), is {node.get('http')}")
            s.expect(node["outbox"].startswith(f"{STATE_DIR}/"),
                     f"{rel(CONFIGS / name)}: node.outbox must be under the state volume {STATE_DIR}")


def image_etc_files():
    """/etc/knutepunkt as the image and the ConfigMap hold it: file name -> source path."""
    files = {path.name: path for path in sorted(CONFIGS.glob("*.yaml"))}
    files["taxonomy.yaml"] = ROOT / "Configs" / "taxonomy.yaml"
    files["gaps.yaml"] = ROOT / "Configs" / "gaps.yaml"
    return dict(sorted(files.items()))


# ---- Containerfile ----


def check_containerfile(configs):
    s = Section("Containerfile")
    path = CONTAINER / "Containerfile"
    parser = DockerfileParser(fileobj=io.BytesIO(path.read_bytes()), env_replace=False)
    structure = parser.structure
    name = rel(path)
    for item in structure:
        s.expect(item["instruction"] in DOCKERFILE_INSTRUCTIONS,
                 f"{name}:{item['startline'] + 1}: unknown instruction {item['instruction']}")

    # Split into stages at each FROM.
    stages = []
    for item in structure:
        if item["instruction"] == "FROM":
            stages.append({"from": item["value"], "items": []})
        elif stages:
            stages[-1]["items"].append(item)
    s.expect(parser.is_multistage and len(stages) >= 2, f"{name}: must be a multi-stage build")
    if len(stages) < 2:
        return s.report("multi-stage build")

    def values(stage, instruction):
        return [i["value"] for i in stage["items"] if i["instruction"] == instruction]

    build, final = stages[0], stages[-1]
    from_words = build["from"].split()
    build_image = [w for w in from_words if not w.startswith("--")][0]
    build_alias = from_words[-1] if len(from_words) > 2 and from_words[-2].upper() == "AS" else "0"
    s.expect(re.fullmatch(r"(docker\.io/library/)?swift:\d+\.\d+-bookworm", build_image),
             f"{name}: the build stage must start from a Swift bookworm image with a version (swift:X.Y-bookworm), "
             f"is {build_image}")
    tools_version = re.search(r"swift-tools-version:\s*(\d+)\.(\d+)", (ROOT / "Package.swift").read_text())
    image_version = re.search(r"swift:(\d+)\.(\d+)", build_image)
    if tools_version and image_version:
        s.expect(tuple(map(int, image_version.groups())) >= tuple(map(int, tools_version.groups())),
                 f"{name}: {build_image} is older than Package.swift's swift-tools-version "
                 f"{'.'.join(tools_version.groups())}")
    build_runs = " ".join(values(build, "RUN"))
    s.expect(re.search(r"apt-get install[^&]*\blibzmq3-dev\b", build_runs),
             f"{name}: the build stage must apt-get install libzmq3-dev")
    s.expect(re.search(r"swift build -c release --product knutepunkt\b", build_runs),
             f"{name}: the build stage must run `swift build -c release --product knutepunkt`")

    s.expect(re.fullmatch(r"(docker\.io/library/)?debian:bookworm-slim", final["from"].split()[0]),
             f"{name}: the run stage must start from debian:bookworm-slim, is {final['from']}")
    final_runs = " ".join(values(final, "RUN"))
    for package in ("libzmq5", "libsqlite3-0"):
        s.expect(re.search(rf"apt-get install[^&]*\b{re.escape(package)}\b", final_runs),
                 f"{name}: the run stage must apt-get install {package} (the binary links it)")
    s.expect("--no-install-recommends" in final_runs and "rm -rf /var/lib/apt/lists" in final_runs,
             f"{name}: the run stage should install with --no-install-recommends and clean the apt lists")
    s.expect(not re.search(r"\b(libzmq3-dev|swift)\b", final["from"] + final_runs),
             f"{name}: the run stage must not install build tools")

    users = values(final, "USER")
    user = users[-1].split(":")[0] if users else None
    s.expect(user is not None, f"{name}: the run stage must set USER (a non-root user)")
    if user is not None:
        s.expect(user not in ("root", "0"), f"{name}: the run stage's USER must not be root, is {users[-1]}")
        s.expect(user.isdigit(), f"{name}: USER should be numeric, so Kubernetes can check runAsNonRoot; is {user}")
    s.expect(any(re.search(r"useradd .*--uid %s\b" % re.escape(user or "?"), v) for v in values(final, "RUN")),
             f"{name}: the run stage must create the user with uid {user} (useradd --uid)")
    copies = [i["value"] for i in final["items"] if i["instruction"] == "COPY"]
    s.expect(any(c.startswith(f"--from={build_alias} ") and c.endswith(" /usr/local/bin/knutepunkt")
                 for c in copies),
             f"{name}: the run stage must copy the binary from the build stage to /usr/local/bin/knutepunkt")
    entrypoint = " ".join(values(final, "ENTRYPOINT"))
    s.expect("/usr/local/bin/knutepunkt" in entrypoint, f"{name}: ENTRYPOINT must run /usr/local/bin/knutepunkt")
    s.expect(any(c.rstrip("/").endswith(CONFIG_DIR) and "Deploy/container/configs" in c for c in copies),
             f"{name}: the run stage must copy Deploy/container/configs/ to {CONFIG_DIR}/")
    s.expect(any("Configs/taxonomy.yaml" in c and CONFIG_DIR in c for c in copies),
             f"{name}: the run stage must copy Configs/taxonomy.yaml to {CONFIG_DIR}/")
    s.expect(any(STATE_DIR in v for v in values(final, "VOLUME")), f"{name}: {STATE_DIR} must be a VOLUME")

    # Every local COPY source exists in the build context (the repository root).
    for stage in stages:
        for item in stage["items"]:
            if item["instruction"] != "COPY" or item["value"].startswith("--from="):
                continue
            words = [w for w in item["value"].split() if not w.startswith("--")]
            for source in words[:-1]:
                s.expect((ROOT / source).exists(), f"{name}:{item['startline'] + 1}: COPY source {source} does "
                                                    "not exist in the build context (the repository root)")

    exposed = {int(p.split("/")[0]) for v in values(final, "EXPOSE") for p in v.split()}
    wanted = {configs.listen_port, configs.publish_port, METRICS_PORT["hub"], METRICS_PORT["node"]}
    s.expect(wanted <= exposed, f"{name}: EXPOSE must list {sorted(wanted)}, lists {sorted(exposed)}")
    healthchecks = values(final, "HEALTHCHECK")
    s.expect(healthchecks and "knutepunkt status" in healthchecks[-1],
             f"{name}: the HEALTHCHECK must ask the daemon (`knutepunkt status`)")
    for stage in stages:
        image = stage["from"].split()[0]
        s.expect(":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"),
                 f"{name}: FROM {image} must name a version tag, not latest")

    ignore = ROOT / ".dockerignore"
    entries = ignore.read_text().split() if ignore.exists() else []
    for entry in (".build", ".data", ".git"):
        s.expect(entry in entries or f"{entry}/" in entries or f"/{entry}" in entries,
                 f".dockerignore must keep {entry} out of the build context")
    return s.report(f"{len(stages)} stages, USER {users[-1] if users else '?'}, "
                    f"EXPOSE {' '.join(map(str, sorted(exposed)))}")


# ---- compose.yaml ----


def check_compose(configs):
    s = Section("compose.yaml")
    path = CONTAINER / "compose.yaml"
    name = rel(path)
    schema = subprocess.run(
        [str(TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True, text=True,
    )
    s.expect(schema.returncode == 0,
             f"{name}: does not match the Compose Specification schema:\n        "
             + (schema.stdout + schema.stderr).strip().replace("\n", "\n        "))

    compose = load_yaml_documents(path)[0]
    services = compose.get("services", {})
    declared_volumes = set((compose.get("volumes") or {}).keys())
    nodes_by_file = configs.nodes
    wanted = {HUB_SERVICE} | {f"knutepunkt-{f.removesuffix('.yaml')}" for f in nodes_by_file}
    s.expect(wanted <= set(services), f"{name}: services {sorted(wanted - set(services))} are missing")
    s.expect("prometheus" in services, f"{name}: the prometheus service is missing")

    state_volumes = {}
    for service_name, service in services.items():
        where = f"{name}: services.{service_name}"
        for target in service.get("depends_on") or []:
            s.expect(target in services, f"{where}.depends_on names an unknown service {target}")
        mounts = {}
        for volume in service.get("volumes") or []:
            source, target = (volume.split(":") + [""])[:2] if isinstance(volume, str) else (
                volume.get("source"), volume.get("target"))
            mounts[target] = source
            if source.startswith((".", "/")):
                s.expect((path.parent / source).exists(), f"{where}: bind-mount source {source} does not exist")
            else:
                s.expect(source in declared_volumes, f"{where}: volume {source} is not declared under volumes:")
        if service_name not in wanted:
            continue
        s.expect(service.get("image") == IMAGE, f"{where}.image must be {IMAGE}")
        build = service.get("build") or {}
        s.expect((path.parent / build.get("context", "?") / build.get("dockerfile", "?")).is_file(),
                 f"{where}.build must point at the Containerfile")
        command = service.get("command") or []
        role = command[0] if command else None
        config = command[command.index("--config") + 1] if "--config" in command else ""
        file_name = config.removeprefix(f"{CONFIG_DIR}/")
        s.expect(role == ("hub" if service_name == HUB_SERVICE else "node"),
                 f"{where}.command must run the {'hub' if service_name == HUB_SERVICE else 'node'}")
        s.expect(mounts.get(config) == f"./configs/{file_name}" and (CONFIGS / file_name).is_file(),
                 f"{where}: --config {config} must be mounted from ./configs/{file_name}")
        s.expect(service_name == HUB_SERVICE or f"knutepunkt-{file_name.removesuffix('.yaml')}" == service_name,
                 f"{where}: runs {file_name}, whose node belongs to another service")
        s.expect(mounts.get(f"{CONFIG_DIR}/taxonomy.yaml") == "../../Configs/taxonomy.yaml",
                 f"{where}: must mount ../../Configs/taxonomy.yaml at {CONFIG_DIR}/taxonomy.yaml")
        s.expect((service.get("environment") or {}).get("KNUTEPUNKT_CONFIG") == config,
                 f"{where}.environment.KNUTEPUNKT_CONFIG must be {config} (the health check asks that daemon)")
        state = mounts.get(STATE_DIR)
        s.expect(state in declared_volumes, f"{where}: {STATE_DIR} must be a named volume")
        s.expect(state not in state_volumes,
                 f"{where}: shares its state volume {state} with {state_volumes.get(state)}; each daemon needs its own")
        state_volumes[state] = service_name
        s.expect(service.get("read_only") is True and "ALL" in (service.get("cap_drop") or []),
                 f"{where}: must run read_only with cap_drop ALL")
        s.expect("knutepunkt status" in " ".join((service.get("healthcheck") or {}).get("test") or []),
                 f"{where}: the healthcheck must ask the daemon (`knutepunkt status`)")
        if service_name == HUB_SERVICE:
            published = {str(p).rsplit(":", 1)[-1] for p in service.get("ports") or []}
            s.expect({str(configs.listen_port), str(configs.publish_port)} <= published,
                     f"{where}.ports must publish {configs.listen_port} and {configs.publish_port}")

    prometheus = CONTAINER / "prometheus.yml"
    scrape = load_yaml_documents(prometheus)[0]
    targets = {t for job in scrape.get("scrape_configs", []) for sc in job.get("static_configs", [])
               for t in sc.get("targets", [])}
    expected = {f"{HUB_SERVICE}:{METRICS_PORT['hub']}"} | {
        f"knutepunkt-{f.removesuffix('.yaml')}:{METRICS_PORT['node']}" for f in nodes_by_file}
    s.expect(targets == expected, f"{rel(prometheus)}: scrape targets {sorted(targets)} should be {sorted(expected)}")
    rule_files = scrape.get("rule_files") or []
    s.expect(rule_files == ["alerts.yml"], f"{rel(prometheus)}: rule_files must be [alerts.yml], is {rule_files}")
    prometheus_mounts = [v for v in services.get("prometheus", {}).get("volumes") or [] if isinstance(v, str)]
    s.expect("../prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in prometheus_mounts,
             f"{name}: services.prometheus must mount ../prometheus/alerts.yml at /etc/prometheus/alerts.yml")
    return s.report(f"Compose Specification schema (check-jsonschema vendor.compose-spec), "
                    f"{len(services)} services, {len(declared_volumes)} volumes, prometheus.yml targets")


# ---- Kubernetes ----


def configmap_text():
    lines = [
        "# GENERATED by `bash Deploy/check.sh --write-configmap` from Deploy/container/configs/*.yaml,",
        "# Configs/taxonomy.yaml and Configs/gaps.yaml: edit those and regenerate. Deploy/check.sh fails when this",
        "# file is out of date. Mounted at /etc/knutepunkt, the same layout as in the image.",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: knutepunkt-config",
        f"  namespace: {NAMESPACE}",
        "  labels:",
        "    app.kubernetes.io/name: knutepunkt",
        "data:",
    ]
    for key, source in image_etc_files().items():
        text = source.read_text(encoding="utf-8")
        chomp = "" if text.endswith("\n") and not text.endswith("\n\n") else ("-" if not text.endswith("\n") else "+")
        indicator = "2" if text[:1] in (" ", "\n") else ""  # content indented 2 more than the key
        lines.append(f"  {key}: |{indicator}{chomp}")
        lines += [f"    {line}" if line else "" for line in text.removesuffix("\n").split("\n")]
    return "\n".join(lines) + "\n"


def manifests():
    """Every Kubernetes manifest file and its documents (kustomization.yaml apart)."""
    paths = [path for path in sorted(KUBE.glob("*.yaml")) if path.name != "kustomization.yaml"]
    return {path: load_yaml_documents(path) for path in paths}


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def check_kubernetes(configs):
    s = Section("Kubernetes")
    files = manifests()
    names = [str(path) for path in files]
    for version in KUBERNETES_VERSIONS:
        result = subprocess.run(
            [str(TOOLS / "kubernetes-validate"), "--strict", "--quiet", "-k", version, *names],
            capture_output=True, text=True,
        )
        s.expect(result.returncode == 0,
                 f"schema check against Kubernetes {version} (kubernetes-validate --strict) failed:\n        "
                 + (result.stdout + result.stderr).strip().replace("\n", "\n        "))

    docs = [(path, doc) for path, file_docs in files.items() for doc in file_docs]
    by_kind = {}
    for path, doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = (path, doc)
        if doc["kind"] != "Namespace":
            s.expect(doc["metadata"].get("namespace") == NAMESPACE,
                     f"{rel(path)}: {doc['kind']} {doc['metadata']['name']} must be in namespace {NAMESPACE}")

    # kustomization.yaml lists every manifest but the placeholder Secrets.
    kustomization = load_yaml_documents(KUBE / "kustomization.yaml")[0]
    listed = set(kustomization.get("resources", []))
    s.expect(listed == {p.name for p in files} - {"secrets.yaml"},
             f"Deploy/kubernetes/kustomization.yaml: resources {sorted(listed)} should be every manifest but "
             "secrets.yaml")
    s.expect(kustomization.get("namespace") == NAMESPACE, f"kustomization.yaml: namespace must be {NAMESPACE}")
    image_name = IMAGE.rsplit(":", 1)[0]
    s.expect(any(i.get("name") == image_name for i in kustomization.get("images", [])),
             f"kustomization.yaml: images must have an entry for {image_name}")

    # The ConfigMap is exactly its sources.
    configmap = by_kind.get("ConfigMap", {}).get("knutepunkt-config", (None, {}))[1]
    data = configmap.get("data", {})
    sources = {key: path.read_text(encoding="utf-8") for key, path in image_etc_files().items()}
    stale = sorted(k for k in set(sources) | set(data) if sources.get(k) != data.get(k))
    s.expect(not stale, f"{rel(CONFIGMAP)} is out of date ({', '.join(stale)}): run bash Deploy/check.sh "
                        "--write-configmap")

    image_uid = None
    for line in (CONTAINER / "Containerfile").read_text().splitlines():
        if line.startswith("USER "):
            image_uid = int(line.split()[1].split(":")[0])

    statefulsets = by_kind.get("StatefulSet", {})
    services = by_kind.get("Service", {})
    secrets = by_kind.get("Secret", {})
    regions_seen = set()
    for set_name, (path, workload) in statefulsets.items():
        where = f"{rel(path)}: StatefulSet {set_name}"
        spec, pod = workload["spec"], pod_spec(workload)
        labels = workload["spec"]["template"]["metadata"]["labels"]
        s.expect(spec.get("replicas") == 1, f"{where}: replicas must be 1 (one daemon per store and per node id)")
        s.expect(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
                 f"{where}: the selector does not match the pod's labels")
        governing = services.get(spec.get("serviceName"), (None, {}))[1]
        s.expect(governing.get("spec", {}).get("clusterIP") == "None",
                 f"{where}: serviceName {spec.get('serviceName')} must be a headless Service")
        claims = {c["metadata"]["name"] for c in spec.get("volumeClaimTemplates", [])}
        container = pod["containers"][0]
        args = container.get("args", [])
        role = args[0] if args else None
        s.expect(role in METRICS_PORT, f"{where}: args must start with hub or node")
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        s.expect(mounts.get(STATE_DIR) in claims, f"{where}: {STATE_DIR} must be a volumeClaimTemplate")
        s.expect(container.get("image") == IMAGE, f"{where}: image must be {IMAGE}")
        security = pod.get("securityContext", {})
        s.expect(security.get("runAsNonRoot") is True and security.get("runAsUser") == image_uid
                 and security.get("fsGroup") == image_uid,
                 f"{where}: must run as non-root uid {image_uid} (the image's USER) with fsGroup {image_uid}")
        csc = container.get("securityContext", {})
        s.expect(csc.get("allowPrivilegeEscalation") is False and csc.get("readOnlyRootFilesystem") is True
                 and "ALL" in csc.get("capabilities", {}).get("drop", []),
                 f"{where}: the container must drop ALL capabilities, forbid privilege escalation and run "
                 "with a read-only root file system")
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        if role in METRICS_PORT:
            s.expect(ports.get("metrics") == METRICS_PORT[role],
                     f"{where}: the metrics port must be {METRICS_PORT[role]}")
        for probe, endpoint in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"),
                                ("startupProbe", "/healthz")):
            http = container.get(probe, {}).get("httpGet", {})
            s.expect(http.get("path") == endpoint and http.get("port") in ("metrics", METRICS_PORT.get(role)),
                     f"{where}: {probe} must ask {endpoint} on the metrics port")
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        config_volume = volumes.get(mounts.get(CONFIG_DIR), {}).get("configMap", {})
        s.expect(config_volume.get("name") in by_kind.get("ConfigMap", {}),
                 f"{where}: {CONFIG_DIR} must mount the ConfigMap knutepunkt-config")
        items = {i["key"] for i in config_volume.get("items", [])}
        s.expect(items <= set(data), f"{where}: mounts ConfigMap keys {sorted(items - set(data))} that do not exist")
        config = args[args.index("--config") + 1] if "--config" in args else ""
        file_name = config.removeprefix(f"{CONFIG_DIR}/")
        s.expect(file_name in items and "taxonomy.yaml" in items,
                 f"{where}: --config {config} and taxonomy.yaml must be among the mounted ConfigMap items")
        for volume in volumes.values():
            if "secret" in volume:
                s.expect(volume["secret"]["secretName"] in secrets,
                         f"{where}: Secret {volume['secret']['secretName']} is not in secrets.yaml")
            if "configMap" in volume:
                s.expect(volume["configMap"]["name"] in by_kind.get("ConfigMap", {}),
                         f"{where}: ConfigMap {volume['configMap']['name']} is in no manifest")
        if role == "hub":
            s.expect(ports.get("listen") == configs.listen_port and ports.get("publish") == configs.publish_port,
                     f"{where}: container ports must be listen {configs.listen_port}, publish {configs.publish_port}")
            hub_service = services.get(HUB_SERVICE, (None, {}))[1]
            s.expect(bool(hub_service), f"the Service {HUB_SERVICE} (the nodes' hub address) is missing")
            service_ports = {p["port"] for p in hub_service.get("spec", {}).get("ports", [])}
            s.expect({configs.listen_port, configs.publish_port} <= service_ports,
                     f"Service {HUB_SERVICE} must expose {configs.listen_port} and {configs.publish_port}")
        elif role == "node":
            node = configs.nodes.get(file_name)
            s.expect(node is not None, f"{where}: runs {file_name}, which is not in Deploy/container/configs/")
            if node:
                regions_seen.add(node["region"])
                s.expect(set_name == f"knutepunkt-{file_name.removesuffix('.yaml')}",
                         f"{where}: runs {file_name}; name it knutepunkt-{file_name.removesuffix('.yaml')}")

    # Every Service selects some pods and names ports those pods have.
    for service_name, (path, service) in services.items():
        selector = service["spec"].get("selector", {})
        selected = [w for _, w in statefulsets.values()
                    if all(w["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())]
        s.expect(selected, f"{rel(path)}: Service {service_name} selects no pod")
        for port in service["spec"].get("ports", []):
            target = port.get("targetPort", port["port"])
            s.expect(all(any(target in (p.get("name"), p["containerPort"]) for p in pod_spec(w)["containers"][0]
                             .get("ports", [])) for w in selected),
                     f"{rel(path)}: Service {service_name} port {port['name']} targets {target}, "
                     "which a selected pod does not have")
    s.expect(regions_seen == {n["region"] for n in configs.hub["nodes"]},
             f"the node StatefulSets cover {sorted(regions_seen)}, the hub grants "
             f"{sorted(n['region'] for n in configs.hub['nodes'])}")

    rendered = ""
    kubectl = shutil.which("kubectl")
    if kubectl:
        # kubectl kustomize renders offline; validate what `kubectl apply -k` would send.
        result = subprocess.run([kubectl, "kustomize", str(KUBE)], capture_output=True, text=True)
        if s.expect(result.returncode == 0, f"kubectl kustomize Deploy/kubernetes failed: {result.stderr.strip()}"):
            with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as out:
                out.write(result.stdout)
            check = subprocess.run(
                [str(TOOLS / "kubernetes-validate"), "--strict", "--quiet", "-k", KUBERNETES_VERSIONS[-1], out.name],
                capture_output=True, text=True,
            )
            os.unlink(out.name)
            s.expect(check.returncode == 0, f"the output of kubectl kustomize does not validate:\n        "
                                            + (check.stdout + check.stderr).strip())
            kinds = sorted(d["kind"] for d in yaml.safe_load_all(result.stdout) if d)
            rendered = f"; kubectl kustomize renders {len(kinds)} objects"
    else:
        rendered = "; kubectl kustomize skipped (no kubectl)"
    return s.report(f"{len(docs)} objects in {len(files)} files against Kubernetes "
                    f"{' and '.join(KUBERNETES_VERSIONS)} (kubernetes-validate --strict), cross-references{rendered}")


def stage(directory):
    """Writes /etc/knutepunkt as the image has it and as the ConfigMap has it, for `knutepunkt config check`."""
    image, from_configmap = Path(directory) / "image", Path(directory) / "configmap"
    for target in (image, from_configmap):
        target.mkdir(parents=True, exist_ok=True)
    for key, source in image_etc_files().items():
        shutil.copyfile(source, image / key)
    configmap = next(d for d in load_yaml_documents(CONFIGMAP) if d["kind"] == "ConfigMap")
    for key, text in configmap.get("data", {}).items():
        (from_configmap / key).write_text(text, encoding="utf-8")


def main():
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("sections", nargs="*", help="containerfile, compose, kubernetes (default: all)")
    arguments.add_argument("--stage", metavar="DIR")
    arguments.add_argument("--write-configmap", action="store_true")
    options = arguments.parse_args()
    if options.write_configmap:
        CONFIGMAP.write_text(configmap_text(), encoding="utf-8")
        print(f"wrote {rel(CONFIGMAP)}")
        return 0
    if options.stage:
        stage(options.stage)
        return 0
    configs = DaemonConfigs()
    shared = Section("container configs")
    configs.check(shared)
    ok = shared.report(f"{1 + len(configs.nodes)} daemon files agree on ports, hub address, grants and state paths")
    checks = {"containerfile": check_containerfile, "compose": check_compose, "kubernetes": check_kubernetes}
    unknown = set(options.sections) - set(checks)
    if unknown:
        arguments.error(f"unknown sections {sorted(unknown)}; choose from {sorted(checks)}")
    for name in options.sections or list(checks):
        ok = checks[name](configs) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
