"""Checks that `create -o yaml` output reads as exactly the objects of `-o json`.

The YAML is printed as the templates rendered it, the JSON from yaml-cpp's
reading of the same text; this reads the YAML with other readers: PyYAML's
libyaml (YAML 1.1) and, when kubectl is on PATH, kubectl itself (go-yaml, via
`kubectl label --local`, which needs no server).
Usage: same_objects.py OUTPUT.yaml OUTPUT.json   (exit 1 and a message on a difference)
"""
import json
import shutil
import subprocess
import sys

import yaml

LABEL = "kpg-golden-check"


def kubectl_objects(path):
    out = subprocess.run(
        ["kubectl", "label", "--local", "-f", path, f"{LABEL}=1", "-o", "json",
         "--kubeconfig", "/dev/null"],
        check=True, capture_output=True, text=True).stdout
    decoder, objects, pos = json.JSONDecoder(), [], 0
    while out[pos:].strip():
        pos += len(out[pos:]) - len(out[pos:].lstrip())
        obj, pos = decoder.raw_decode(out, pos)
        objects.append(obj)
    for obj in objects:
        del obj["metadata"]["labels"][LABEL]
    return objects


def main():
    yaml_path, json_path = sys.argv[1:3]
    with open(json_path) as f:
        expected = json.load(f)["items"]
    with open(yaml_path) as f:
        readers = {"PyYAML (libyaml)": list(yaml.load_all(f, Loader=yaml.CSafeLoader))}
    if shutil.which("kubectl"):
        readers["kubectl"] = kubectl_objects(yaml_path)
    for reader, objects in readers.items():
        if objects != expected:
            print(f"-o yaml read by {reader} differs from -o json")
            return 1
    return 0


sys.exit(main())
