"""The demo softphone, in Python on desk_cti_py: a dial pad, click-to-dial, inbound calls
that pop the caller's new phone case, a call timer, a note on hang-up through ajax, and
buttons that try every Open CTI method by hand.

The page starts it with ``from demo_phone.main import start; start()``. The modules:
``checks`` (pure Python: what the agent typed), ``page`` (the page's elements and log),
``calls`` (the call UI), ``panel`` (the panel's size and visibility), ``tryapi`` (the
"Try the API" box), ``main`` (wires them to the page and the console).
"""
