# A src= Python file: it runs after the inline script, in the same globals.
counts["extra"] = counts["py"]  # noqa: F821  (ready listeners have not run yet: 0)
