"""The `desk-cti` command and what it builds: CPython only, never in the browser wheel.

`new` scaffolds a softphone project, `build` makes a folder any static server can serve,
`test` runs the project's tests in CPython and in real Pyodide, `serve` runs the emulator
console next to the softphone.
"""
