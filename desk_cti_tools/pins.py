"""What a build ships, pinned: the runtime from npm and the wheels pytest-pyodide loads."""

#: the npm package the runtime comes from, and its integrity as npm's lock records it
PYODIDE_NPM = "pyodide"
PYODIDE_VERSION = "314.0.7"
PYODIDE_INTEGRITY = "sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="
#: the Python the runtime embeds: dependencies are chosen for it
PYTHON_VERSION = "3.14"

#: micropip installs the on-demand packages at run time (the version the runtime's lock names)
MICROPIP = "micropip==0.11.1"

#: pure-Python wheels pytest-pyodide loads into the runtime (`pytest<9.2`: 9.2 breaks it)
TEST_WHEELS = (
    "pytest==9.1.1",
    "tblib==3.2.2",
    "iniconfig==2.3.1",
    "pluggy==1.7.0",
    "pygments==2.21.0",
    "packaging==26.4",
    MICROPIP,
)
