"""`meson install` puts the plugin where libpurple looks for plugins, under the
chosen prefix, and the catalogues where the plugin binds its text domain."""
import json
import os
import subprocess

from hub import BUILD


def test_install_goes_to_purple_plugindir_under_prefix(tmp_path):
    opts = json.loads(subprocess.check_output(["meson", "introspect", "--buildoptions", BUILD]))
    prefix = next(o["value"] for o in opts if o["name"] == "prefix")
    plugindir = subprocess.check_output(["pkg-config", "--variable=plugindir", "purple"], text=True).strip()
    purple_prefix = subprocess.check_output(["pkg-config", "--variable=prefix", "purple"], text=True).strip()
    relative = os.path.relpath(plugindir, purple_prefix)          # lib/<triplet>/purple-2

    subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", str(tmp_path)],
                   check=True, capture_output=True)
    root = str(tmp_path) + prefix
    plugin = os.path.join(root, relative, "roundtable.so")
    assert os.path.isfile(plugin), sorted(os.walk(str(tmp_path)))
    for lang in ("nl", "fr", "de"):
        assert os.path.isfile(os.path.join(root, "share", "locale", lang, "LC_MESSAGES", "roundtable.mo"))
    # The installed plugin binds its catalogues under the same prefix.
    assert (os.path.join(prefix, "share", "locale").encode() in open(plugin, "rb").read())
