"""The console emulator: a Desk-like agent console (pages, API, sign-in, sessions, SQLite
data, the protocol inspector) on one origin, and a softphone on a second; `desk-cti serve`."""
