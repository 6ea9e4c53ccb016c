"""Bulk provisioning behind :mod:`flashproxy_async.bulk`: orders, the journal, the run."""
