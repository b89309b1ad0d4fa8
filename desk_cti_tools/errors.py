"""The one error the tools raise for bad input: its text is the single line the CLI prints."""


class ToolError(Exception):
    """Bad input or a missing tool: ``str(error)`` is one clear line for the user."""

    def __str__(self) -> str:
        # one line, whatever the message was built from
        return " ".join(super().__str__().split())
