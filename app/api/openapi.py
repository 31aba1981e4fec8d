"""The OpenAPI 3.1 description, assembled from the endpoints' declarations and the forms they use."""
import re

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, SubmitField
from wtforms.csrf.core import CSRFTokenField

from app.api import API_TITLE, API_VERSION, DECLARED, Declared

ERROR = {"type": "object", "required": ["message"], "properties": {
    "message": {"type": "string"},
    "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
}}
ERROR_TEXTS = {400: "Ugyldig forespørsel", 401: "Mangler gyldig API-nøkkel", 403: "Ingen tilgang",
               404: "Finnes ikke, eller utenfor tilgangen din", 405: "Metoden er ikke tillatt",
               409: "Avvist av en regel eller endret av andre", 422: "Feil i innholdet, per felt"}
_RULE_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def field_schema(field) -> dict:
    if isinstance(field, FileField):
        return {"type": "string", "format": "binary"}
    if isinstance(field, BooleanField):
        return {"type": "boolean"}
    if isinstance(field, IntegerField):
        return {"type": "integer"}
    if isinstance(field, DateField):
        return {"type": "string", "format": "date", "description": "ÅÅÅÅ-MM-DD (dd.mm.åååå godtas også)"}
    if isinstance(field, (SelectField, RadioField)):
        values = [choice.value if hasattr(choice, "value") else choice[0] for choice in field.choices or []]
        return {"type": "string", "enum": [value for value in values if value]}
    schema = {"type": "string"}
    for validator in field.validators:
        if getattr(validator, "max", -1) not in (-1, None):
            schema["maxLength"] = validator.max
    return schema


def form_schema(form_class, *, files: bool = False) -> dict:
    """The form's fields as a JSON schema; its file fields only for a multipart body (`files`)."""
    form = form_class(formdata=None, meta={"csrf": False})
    properties, required = {}, []
    for field in form:
        if isinstance(field, (SubmitField, CSRFTokenField)) or (isinstance(field, FileField) and not files):
            continue
        properties[field.name] = {**field_schema(field), "title": str(field.label.text)}
        if field.flags.required:
            required.append(field.name)
    return {"type": "object", "properties": properties, "required": required}


def _path(rule: str) -> tuple[str, list[dict]]:
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer"} if converter == "int" else {"type": "string"}}
                  for converter, name in _RULE_PARAMETER.findall(rule)]
    return "/api/v1" + _RULE_PARAMETER.sub(r"{\2}", rule), parameters


def _operation(declared: Declared) -> dict:
    path, parameters = _path(declared.rule)
    parameters += [{"name": name, "in": "query", "required": False, "schema": schema}
                   for name, schema in declared.query.items()]
    responses = {str(declared.status): {"description": "OK", "content": {
        "application/json": {"schema": declared.response or {"type": "object"}}}}}
    errors = {400, 404, 405}
    if not declared.public:
        errors |= {401, 403}
    if declared.form is not None:
        errors |= {409, 422}
    for status in sorted(errors):
        responses[str(status)] = {"description": ERROR_TEXTS[status],
                                  "content": {"application/json": {"schema": ERROR}}}
    operation = {"summary": declared.summary, "tags": [declared.tag], "parameters": parameters,
                 "responses": responses}
    if declared.public:
        operation["security"] = []
    if declared.form is not None:
        content = {"application/json": {"schema": form_schema(declared.form)}}
        if any(isinstance(field, FileField) for field in declared.form(formdata=None, meta={"csrf": False})):
            # with a file: the same fields as form parts, the file as a file part
            content["multipart/form-data"] = {"schema": form_schema(declared.form, files=True)}
        operation["requestBody"] = {"required": True, "content": content}
    return path, operation


def document() -> dict:
    paths: dict[str, dict] = {}
    for declared in DECLARED:
        path, operation = _operation(declared)
        paths.setdefault(path, {})[declared.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": API_TITLE, "version": API_VERSION,
                 "description": "Saksbehandling for Nye Metoder, ekspertpanelet og behandling i utlandet. "
                                "Nøkler lages under «API-nøkler» i Helsesak."},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }
