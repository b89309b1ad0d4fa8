"""The demo softphone, in Python on desk_cti_py: a dial pad, click-to-dial, real calls through
the call engine, inbound calls that pop the caller's case, a call timer, a note on every call
through ajax, and buttons that try every Open CTI method by hand.

The page starts it with ``from demo_phone.main import start; start()``. The modules:
``checks`` (pure Python: what the agent typed), ``page`` (the page's elements and log),
``lines`` (where calls go: the far end of `desk-cti serve`, or a simulated line), ``calls``
(the call UI, on the engine's interface only), ``panel`` (the panel's size and visibility),
``tryapi`` (the "Try the API" box), ``main`` (wires them to the page and the console).
"""
