"""The read positions file of a protocol plugin account
(protocols/common/rt-account-positions.h): USERDIR/roundtable/positions/
PROTOCOL-USER.ini, a GLib key file with one group [positions], keys
%-escaped (":/@" kept), values in GLib's key-file escapes. The tests read
and edit it only while the hub is stopped, as a user would."""
import os
import re
from urllib.parse import quote, unquote

GROUP = "[positions]"
_UNESCAPE = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def path(userdir, protocol, user):
    return os.path.join(userdir, "roundtable", "positions",
                        "%s-%s.ini" % (protocol, quote(user, safe="@")))


def _unescape(v):
    return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(0)), v)


def _escape(v):
    v = v.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return "\\s" + v[1:] if v.startswith(" ") else v


def read(userdir, protocol, user):
    """{key: value}; asserts the file is there and is ours."""
    with open(path(userdir, protocol, user), encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert GROUP in lines, lines
    out = {}
    for line in lines[lines.index(GROUP) + 1:]:
        if line and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[unquote(k)] = _unescape(v)
    return out


def write(userdir, protocol, user, values):
    p = path(userdir, protocol, user)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w", encoding="utf-8") as f:
        f.write(GROUP + "\n")
        for k, v in values.items():
            f.write("%s=%s\n" % (quote(k, safe=":/@"), _escape(v)))


def update(userdir, protocol, user, changes):
    """Sets the keys of the dict changes, keeps the others."""
    values = read(userdir, protocol, user)
    values.update(changes)
    write(userdir, protocol, user, values)
