"""The ``flashproxy`` command, behind :mod:`flashproxy_async.cli`."""
