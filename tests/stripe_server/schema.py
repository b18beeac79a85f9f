"""Stripe's bracketed form encoding, and request checks against the 2022 request-schema subset."""

import copy
import difflib
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "stripe"
SPEC_FILE = DATA_DIR / "spec3-2022-request-subset.json"

# Parameters the app sends that postdate the 2022-04-12 spec, added to the checked schema:
# {("post", "/v1/checkout/sessions"): {"payment_intent_data[new_field]": {"type": "string"}}}.
ALLOW_LIST: dict[tuple[str, str], dict[str, dict]] = {}

_NAME = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")
_SCALARS = {"string", "integer", "number", "boolean"}


class StripeApiError(Exception):
    """An API error, rendered as Stripe's `{"error": {...}}` body."""

    def __init__(
        self, status: int, message: str, *, type: str = "invalid_request_error", code=None, param=None, extra=None
    ):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type, code, param
        self.extra = extra or {}  # more of Stripe's error fields (a card error's decline_code and payment_intent)

    def body(self) -> dict:
        """The JSON body Stripe sends with this error."""
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        return {"error": error}


def split_name(name: str) -> list[str]:
    """`a[b][0]` -> `["a", "b", "0"]` (a name without brackets is one part)."""
    match = _NAME.match(name)
    if not match:
        return [name]
    return [match.group(1), *_PART.findall(match.group(2))]


def decode_form(pairs: Iterable[tuple[str, str]]) -> dict:
    """Decode form pairs with bracketed keys into nested dicts; keys 0..n-1 (or `[]`) make a list."""
    root: dict = {}
    for name, value in pairs:
        parts = split_name(name)
        node = root
        for i, part in enumerate(parts):
            if part == "":
                part = str(len(node))
            if i == len(parts) - 1:
                node[part] = value
            else:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
    return {key: _listify(value) for key, value in root.items()}


def _listify(node):
    if not isinstance(node, dict):
        return node
    if node and set(node) == {str(i) for i in range(len(node))}:
        return [_listify(node[str(i)]) for i in range(len(node))]
    return {key: _listify(value) for key, value in node.items()}


@functools.cache
def spec_paths() -> dict:
    """The spec's `paths` object (loaded once)."""
    return json.loads(SPEC_FILE.read_text())["paths"]


@functools.cache
def _template_pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")


def match_template(path: str, templates: Iterable[str]) -> tuple[str, dict] | None:
    """The template matching `path` (literal segments beat placeholders) and its path parameters."""
    found = []
    for template in templates:
        match = _template_pattern(template).match(path)
        if match:
            found.append((template.count("{"), template, match.groupdict()))
    if not found:
        return None
    _, template, params = min(found)
    return template, params


def request_schema(method: str, template: str) -> dict:
    """The object schema for a request's parameters (form body, or query for GET/DELETE), plus the allow-list."""
    operation = spec_paths()[template][method.lower()]
    body = operation.get("requestBody") or {}
    if "content" in body:
        body = body["content"]["application/x-www-form-urlencoded"]["schema"]
    schema = copy.deepcopy(body) or {"type": "object", "properties": {}}
    if method.upper() in ("GET", "DELETE"):
        properties = schema.setdefault("properties", {})
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query":
                properties[parameter["name"]] = parameter.get("schema", {})
        if "expand" in properties:
            properties["expand"] = {"type": "array", "items": {"type": "string"}}
        schema["additionalProperties"] = False
    for name, extra in ALLOW_LIST.get((method.lower(), template), {}).items():
        _allow(schema, split_name(name), extra)
    return schema


def _allow(schema: dict, parts: list[str], extra: dict) -> None:
    node = schema
    for part in parts[:-1]:
        node = _object_branch(node)["properties"][part]
    _object_branch(node).setdefault("properties", {})[parts[-1]] = extra


def _object_branch(node: dict) -> dict:
    for option in node.get("anyOf", []):
        if option.get("type") in ("object", "array"):
            node = option
            break
    return node.get("items", node) if node.get("type") == "array" else node


def validate(method: str, template: str, params: dict) -> dict:
    """Check decoded params against the endpoint's schema; return them with integers and booleans converted."""
    return check(params, request_schema(method, template), "")


def check(value, schema: dict, param: str):
    """Check one value against a (sub)schema, raising StripeApiError the way Stripe words it."""
    if "anyOf" in schema:
        return _any_of(value, schema["anyOf"], param)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _object(value, schema, param)
    if kind == "array":
        if not isinstance(value, list):
            raise _invalid(param, "array")
        return [check(item, schema.get("items", {}), f"{param}[{i}]") for i, item in enumerate(value)]
    if kind in _SCALARS and not isinstance(value, str):
        raise _invalid(param, kind)
    return _scalar(value, schema, param)


def _scalar(value, schema: dict, param: str):
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise StripeApiError(400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param)
        return int(value)
    if kind == "boolean":
        if value not in ("true", "false"):
            raise StripeApiError(400, f"Invalid boolean: {value}", param=param)
        return value == "true"
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            raise StripeApiError(400, f"Invalid decimal: {value}", param=param) from None
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(repr(choice) for choice in schema["enum"])
        raise StripeApiError(400, f"Invalid {param}: must be one of {choices}", param=param)
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise StripeApiError(400, f"Invalid {param}: must be at most {schema['maxLength']} characters", param=param)
    return value


def _object(value, schema: dict, param: str) -> dict:
    if isinstance(value, list):  # keys 0..n-1 decoded as a list (metadata[0]=...)
        value = {str(i): item for i, item in enumerate(value)}
    if not isinstance(value, dict):
        raise _invalid(param, "object")
    properties = schema.get("properties")
    extra = schema.get("additionalProperties")
    checked = {}
    for key, item in value.items():
        name = f"{param}[{key}]" if param else key
        if properties is not None and key in properties:
            checked[key] = check(item, properties[key], name)
        elif isinstance(extra, dict):
            checked[key] = check(item, extra, name)
        elif properties is None and extra is not False:
            checked[key] = item
        else:
            raise _unknown(name, key, properties or {})
    for key in schema.get("required", []):
        if key not in value:
            name = f"{param}[{key}]" if param else key
            raise StripeApiError(400, f"Missing required param: {name}.", code="parameter_missing", param=name)
    return checked


def _any_of(value, options: list[dict], param: str):
    errors = []
    for option in sorted(options, key=lambda option: not _fits(value, option)):
        try:
            return check(value, option, param)
        except StripeApiError as error:
            errors.append(error)
    raise errors[0]


def _fits(value, schema: dict) -> bool:
    kind = schema.get("type")
    if isinstance(value, dict):
        return kind == "object" or "properties" in schema
    if isinstance(value, list):
        return kind == "array"
    return kind in _SCALARS


def _unknown(name: str, key: str, properties: dict) -> StripeApiError:
    message = f"Received unknown parameter: {name}"
    close = difflib.get_close_matches(key, list(properties), n=1)
    if close:
        message += f". Did you mean {close[0]}?"
    return StripeApiError(400, message, code="parameter_unknown", param=name)


def _invalid(param: str, kind: str) -> StripeApiError:
    label = {"object": "hash"}.get(kind, kind)
    code = "parameter_invalid_integer" if kind == "integer" else None
    return StripeApiError(400, f"Invalid {label}", code=code, param=param or None)
