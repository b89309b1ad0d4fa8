"""The desk-cti-py demo: a Desk-like agent console and a Python softphone, on two origins."""
