"""Compare the shape of a served JSON value with a documented example:
same keys, same JSON types, same nesting; values may differ."""


def jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def shape_diff(doc, served, path="$", complete=False, extra_ok=()):
    """A list of differences. A null in the example is a nullable attribute
    and matches anything; arrays compare their elements with the example's
    first element when both are non-empty. complete=True also reports keys
    served but not in the example, unless named in extra_ok."""
    diffs = []
    if doc is None:
        return diffs
    if jtype(doc) != jtype(served):
        return ["%s: example is %s, served %s" % (path, jtype(doc), jtype(served))]
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k not in served:
                diffs.append("%s.%s: missing" % (path, k))
            else:
                diffs += shape_diff(v, served[k], "%s.%s" % (path, k), complete, extra_ok)
        if complete:
            diffs += ["%s.%s: not in the example" % (path, k) for k in served
                      if k not in doc and k not in extra_ok]
    elif isinstance(doc, list) and doc and served:
        for i, item in enumerate(served):
            diffs += shape_diff(doc[0], item, "%s[%d]" % (path, i), complete, extra_ok)
    return diffs
