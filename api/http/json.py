"""Flask JSON provider backed by orjson (fast, and strict about what it encodes), and
:func:`json_response` for views that build their body in the documented shape themselves."""
import orjson
from flask import current_app
from flask.json.provider import JSONProvider


class OrjsonProvider(JSONProvider):
    def dumps(self, obj, **kwargs):
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()

    def loads(self, s, **kwargs):
        return orjson.loads(s)

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS), mimetype="application/json")


def json_response(obj, headers=None):
    """A 200 ``application/json`` response of ``obj``, encoded once by orjson.

    For the hot views: flask-smorest passes a returned ``Response`` through untouched, so the
    body skips the marshmallow dump (the view's ``@blp.response`` schema still documents it).
    ``obj`` must already be exactly what the schema would dump: same keys, same order;
    ``tests/api/test_fast_json.py`` checks that for every fact of the test database.
    """
    response = current_app.response_class(orjson.dumps(obj), content_type="application/json")
    if headers:
        response.headers.update(headers)
    return response
