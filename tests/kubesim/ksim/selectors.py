"""Label and field selectors, as kube-apiserver parses them.

Label grammar (`AM pkg/labels/selector.go`): comma-separated requirements `k=v`, `k==v`,
`k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>n`, `k<n`. `notin` and `!=` also match
objects without the key. Field grammar (`AM pkg/fields/selector.go`): `k=v`, `k==v`, `k!=v`
joined by commas; which fields a kind supports comes from its ResourceType.

Parsed selectors are cached by string; `match(labels)` / `match(obj)` are cheap.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .errors import bad_request

_KEY_RE = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                     r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_TOKEN_RE = re.compile(r"\s*(!=|==|=|!|\(|\)|,|>|<|[^\s!=(),<>]+)")


class LabelSelector:
    """A conjunction of requirements (key, op, values). An empty selector matches everything."""

    def __init__(self, reqs: list[tuple[str, str, tuple[str, ...]]]):
        self.reqs = reqs

    @property
    def empty(self) -> bool:
        return not self.reqs

    def match(self, labels: dict | None) -> bool:
        labels = labels or {}
        for key, op, values in self.reqs:
            has = key in labels
            if op == "in":
                if not has or labels[key] not in values:
                    return False
            elif op == "notin":
                if has and labels[key] in values:
                    return False
            elif op == "exists":
                if not has:
                    return False
            elif op == "!":
                if has:
                    return False
            elif op in ("gt", "lt"):
                if not has:
                    return False
                try:
                    v = int(labels[key])
                except ValueError:
                    return False
                if (op == "gt" and not v > int(values[0])) or (op == "lt" and not v < int(values[0])):
                    return False
        return True


def _err(text: str, why: str):
    return bad_request(f"unable to parse requirement: {why}" if why else
                       f"couldn't parse the selector string \"{text}\"")


@lru_cache(maxsize=4096)
def parse_label_selector(text: str) -> LabelSelector:
    """Parse a labelSelector query value; raises ApiError 400 on syntax errors."""
    text = (text or "").strip()
    if not text:
        return LabelSelector([])
    tokens = [m.group(1) for m in _TOKEN_RE.finditer(text)]
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise _err(text, "")
    reqs = []
    i = 0
    n = len(tokens)

    def key_ok(k: str) -> str:
        if not _KEY_RE.match(k) or len(k.split("/")[-1]) > 63:
            raise _err(text, f"<nil>: Invalid value: \"{k}\": name part must consist of "
                             f"alphanumeric characters, '-', '_' or '.', and must start and end "
                             f"with an alphanumeric character")
        return k

    def value_ok(v: str) -> str:
        if len(v) > 63 or not _VALUE_RE.match(v):
            raise _err(text, f"values[0][{v}]: Invalid value: \"{v}\": a valid label must be an "
                             f"empty string or consist of alphanumeric characters, '-', '_' or "
                             f"'.', and must start and end with an alphanumeric character")
        return v

    while i < n:
        if tokens[i] == "!":
            if i + 1 >= n:
                raise _err(text, "")
            reqs.append((key_ok(tokens[i + 1]), "!", ()))
            i += 2
        else:
            key = key_ok(tokens[i])
            i += 1
            if i >= n or tokens[i] == ",":
                reqs.append((key, "exists", ()))
            else:
                op = tokens[i]
                i += 1
                if op in ("=", "==", "!="):
                    val = ""
                    if i < n and tokens[i] != ",":
                        val = tokens[i]
                        i += 1
                    reqs.append((key, "in" if op != "!=" else "notin", (value_ok(val),)))
                elif op in ("in", "notin"):
                    if i >= n or tokens[i] != "(":
                        raise _err(text, "found '" + (tokens[i] if i < n else "") +
                                   "', expected: '('")
                    i += 1
                    vals = []
                    while i < n and tokens[i] != ")":
                        if tokens[i] != ",":
                            vals.append(value_ok(tokens[i]))
                        i += 1
                    if i >= n:
                        raise _err(text, "found '', expected: ')'")
                    i += 1
                    reqs.append((key, op, tuple(vals)))
                elif op in (">", "<"):
                    if i >= n or not re.fullmatch(r"-?\d+", tokens[i]):
                        raise _err(text, "for 'Gt', 'Lt' operators, exactly one integer value "
                                         "is required")
                    reqs.append((key, "gt" if op == ">" else "lt", (tokens[i],)))
                    i += 1
                else:
                    raise _err(text, f"found '{op}', expected: in, notin, =, ==, !=, gt, lt")
        if i < n:
            if tokens[i] != ",":
                raise _err(text, f"found '{tokens[i]}', expected: ',' or 'end of string'")
            i += 1
    return LabelSelector(reqs)


def selector_from_object(sel: dict | None) -> LabelSelector | None:
    """A metav1.LabelSelector (matchLabels + matchExpressions) as a LabelSelector.
    None (no selector) returns None, which callers treat as "matches nothing";
    an empty dict {} matches everything, as in the API."""
    if sel is None:
        return None
    reqs = [(k, "in", (v,)) for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists",
              "DoesNotExist": "!"}.get(e.get("operator"))
        if op is None:
            raise bad_request(f"{e.get('operator')!r} is not a valid label selector operator")
        reqs.append((e["key"], op, tuple(e.get("values") or ())))
    return LabelSelector(reqs)


def _field_value(obj: dict, path: str) -> str:
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    if path == "status.podIPs" and isinstance(cur, list):
        return ",".join(x.get("ip", "") for x in cur if isinstance(x, dict))
    if path == "source" and isinstance(cur, dict):
        return cur.get("component", "")
    return str(cur)


class FieldSelector:
    """A conjunction of (field, op, value) terms, op "=" or "!="."""

    def __init__(self, terms: list[tuple[str, str, str]]):
        self.terms = terms

    @property
    def empty(self) -> bool:
        return not self.terms

    def match(self, obj: dict) -> bool:
        for path, op, value in self.terms:
            v = _field_value(obj, path)
            if (v == value) != (op == "="):
                return False
        return True

    def single_name(self) -> str | None:
        """The name when the selector is exactly `metadata.name=X` (an index lookup)."""
        for path, op, value in self.terms:
            if path == "metadata.name" and op == "=":
                return value
        return None

    def single_namespace(self) -> str | None:
        for path, op, value in self.terms:
            if path == "metadata.namespace" and op == "=":
                return value
        return None


def _split_unescaped(text: str, sep: str) -> list[str]:
    out, cur, esc = [], [], False
    for ch in text:
        if esc:
            cur.append(ch)
            esc = False
        elif ch == "\\":
            cur.append(ch)
            esc = True
        elif ch == sep:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _unescape(v: str) -> str:
    return re.sub(r"\\(.)", r"\1", v)


@lru_cache(maxsize=4096)
def _parse_fields(text: str) -> FieldSelector:
    terms = []
    for part in _split_unescaped(text, ","):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^([^=!]+)(!=|==|=)(.*)$", part)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        op = "!=" if m.group(2) == "!=" else "="
        terms.append((m.group(1).strip(), op, _unescape(m.group(3))))
    return FieldSelector(terms)


def parse_field_selector(text: str, rt=None) -> FieldSelector:
    """Parse a fieldSelector; with `rt`, fields the kind does not support give 400
    `field label not supported: X` as kube-apiserver answers."""
    sel = _parse_fields((text or "").strip())
    if rt is not None:
        for path, _, _ in sel.terms:
            if not rt.allowed_field(path):
                raise bad_request(f'field label not supported: {path}')
    return sel
