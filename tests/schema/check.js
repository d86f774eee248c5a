// Checks Kubernetes objects (a JSON v1 List on stdin) against the official
// API definitions and against each other:
//  - kubernetes-models (generated from the Kubernetes OpenAPI spec): types,
//    enums, required fields, formats;
//  - @kubernetes/client-node's model attribute maps (also generated from the
//    OpenAPI spec): every field must exist (kubectl --validate=strict);
//  - cross-object rules: workload selectors match their pod labels, Service
//    selectors select a pod template and name real container ports,
//    secretKeyRef/configMapKeyRef/envFrom name existing objects and keys, the
//    StatefulSet's serviceName is a headless Service, RBAC and PDB/NetworkPolicy
//    references resolve.
// Usage: node check.js NAME < list.json   (exit 1 and one line per problem)
"use strict";
const k8s = require("@kubernetes/client-node");

// Labels set at run time, not in manifests: Patroni's role label.
const RUNTIME_LABELS = new Set(["spilo-role"]);

const problems = [];
const problem = (object, text) =>
  problems.push(`${object.kind}/${object.metadata && object.metadata.name}: ${text}`);

function modelsClass(object) {
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : [null, object.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${object.kind}` :
                       `kubernetes-models/${version}/${object.kind}`;
  return require(path)[object.kind];
}

// Walks `value` as client-node type `type`; reports fields the API lacks.
function checkFields(object, value, type, path) {
  if (value === null || value === undefined) return;
  let match;
  if ((match = /^Array<(.+)>$/.exec(type))) {
    if (!Array.isArray(value)) return problem(object, `${path}: expected a list`);
    value.forEach((item, i) => checkFields(object, item, match[1], `${path}[${i}]`));
    return;
  }
  if ((match = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    for (const [key, item] of Object.entries(value)) checkFields(object, item, match[1], `${path}.${key}`);
    return;
  }
  const model = k8s[type];
  if (!model || typeof model.getAttributeTypeMap !== "function") return; // a scalar type
  if (typeof value !== "object" || Array.isArray(value)) {
    return problem(object, `${path}: expected an object (${type})`);
  }
  const attributes = model.getAttributeTypeMap();
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    if (!attribute) {
      problem(object, `${path}.${key}: unknown field (not in ${type})`);
    } else {
      checkFields(object, item, attribute.type, `${path}.${key}`);
    }
  }
}

function checkSchema(object) {
  try {
    new (modelsClass(object))(object).validate();
  } catch (e) {
    problem(object, `schema: ${e.message}`);
  }
  const version = object.apiVersion.split("/").pop();
  const type = version[0].toUpperCase() + version.slice(1) + object.kind;
  if (!k8s[type]) return problem(object, `no API definition ${type}`);
  checkFields(object, object, type, "");
}

const selects = (selector, labels) =>
  Object.entries(selector).every(([k, v]) => RUNTIME_LABELS.has(k) || (labels || {})[k] === v);

function checkCrossObject(objects) {
  const named = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const workloads = objects.filter((o) => o.kind === "StatefulSet" || o.kind === "Deployment");
  const podTemplates = workloads.map((w) => w.spec.template);
  const namespaces = new Set(objects.filter((o) => o.kind !== "Namespace").map((o) => o.metadata.namespace));
  if (namespaces.size !== 1) problems.push(`objects span namespaces ${[...namespaces].join(", ")}`);

  for (const w of workloads) {
    if (!selects(w.spec.selector.matchLabels, w.spec.template.metadata.labels)) {
      problem(w, "spec.selector.matchLabels does not match the pod template's labels");
    }
    const pod = w.spec.template.spec;
    if (pod.serviceAccountName && !named("ServiceAccount", pod.serviceAccountName)) {
      problem(w, `serviceAccountName ${pod.serviceAccountName} is not rendered`);
    }
    for (const c of pod.containers) {
      for (const env of c.env || []) {
        const ref = env.valueFrom && (env.valueFrom.secretKeyRef || env.valueFrom.configMapKeyRef);
        if (!ref) continue;
        const kind = env.valueFrom.secretKeyRef ? "Secret" : "ConfigMap";
        const target = named(kind, ref.name);
        if (!target) problem(w, `env ${env.name}: ${kind} ${ref.name} is not rendered`);
        else if (!(ref.key in (target.data || {}))) problem(w, `env ${env.name}: ${kind} ${ref.name} has no key ${ref.key}`);
      }
      for (const from of c.envFrom || []) {
        if (from.configMapRef && !named("ConfigMap", from.configMapRef.name)) problem(w, `envFrom: ConfigMap ${from.configMapRef.name} is not rendered`);
        if (from.secretRef && !named("Secret", from.secretRef.name)) problem(w, `envFrom: Secret ${from.secretRef.name} is not rendered`);
      }
    }
    if (w.kind === "StatefulSet") {
      const service = named("Service", w.spec.serviceName);
      if (!service) problem(w, `serviceName ${w.spec.serviceName} is not a rendered Service`);
      else if (service.spec.clusterIP !== "None") problem(w, `serviceName ${w.spec.serviceName} is not headless`);
    }
  }
  for (const s of objects.filter((o) => o.kind === "Service")) {
    const pods = podTemplates.filter((t) => selects(s.spec.selector || {}, t.metadata.labels));
    if (pods.length === 0) { problem(s, "spec.selector selects no rendered pod template"); continue; }
    for (const port of s.spec.ports) {
      if (typeof port.targetPort !== "string") continue;
      const named_ports = pods.flatMap((t) => t.spec.containers.flatMap((c) => (c.ports || []).map((p) => p.name)));
      if (!named_ports.includes(port.targetPort)) problem(s, `targetPort ${port.targetPort} names no container port`);
    }
  }
  for (const o of objects.filter((o) => o.kind === "PodDisruptionBudget" || o.kind === "NetworkPolicy")) {
    const selector = o.kind === "PodDisruptionBudget" ? o.spec.selector.matchLabels : o.spec.podSelector.matchLabels;
    if (!podTemplates.some((t) => selects(selector, t.metadata.labels))) problem(o, "selector selects no rendered pod template");
    for (const rule of (o.spec.ingress || [])) {
      for (const peer of (rule.from || [])) {
        if (peer.podSelector && !podTemplates.some((t) => selects(peer.podSelector.matchLabels, t.metadata.labels))) {
          problem(o, "an ingress podSelector selects no rendered pod template");
        }
      }
    }
  }
  for (const rb of objects.filter((o) => o.kind === "RoleBinding")) {
    if (!named(rb.roleRef.kind, rb.roleRef.name)) problem(rb, `roleRef ${rb.roleRef.kind} ${rb.roleRef.name} is not rendered`);
    for (const subject of rb.subjects) {
      if (subject.kind === "ServiceAccount" && !named("ServiceAccount", subject.name)) problem(rb, `subject ServiceAccount ${subject.name} is not rendered`);
    }
  }
}

const name = process.argv[2] || "stdin";
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const list = JSON.parse(input);
  for (const object of list.items) checkSchema(object);
  checkCrossObject(list.items);
  for (const p of problems) console.log(`FAIL: ${name}: ${p}`);
  if (problems.length === 0) console.log(`ok: ${name}: ${list.items.length} objects`);
  process.exit(problems.length === 0 ? 0 : 1);
});
