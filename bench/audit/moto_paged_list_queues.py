"""moto for the audit bench: the test harness's server (test/support/moto_server.py, its patches
included) with ListQueues paged as AWS documents it. moto 5.2 returns at most 1,000 queue URLs
and never a NextToken; AWS answers MaxResults (1-1,000) URLs a page with a NextToken while more
remain. Without this, an account of more than 1,000 queues cannot be listed on moto, and the
"read the unread queues" strategy (which needs the whole list) could never be measured. Used by
bench/audit.bench.ts only; the test suite runs moto without it."""
import os
import runpy
import sys
from urllib.parse import urlparse

from moto.core.responses import ActionResult
from moto.sqs import responses as sqs_responses


def _list_queues(self):
    request_url = urlparse(self.uri)
    prefix = self._get_param("QueueNamePrefix") or ""
    max_results = self._get_int_param("MaxResults")
    token = self._get_param("NextToken")
    queues = [q for name, q in self.sqs_backend.queues.items() if name.startswith(prefix)]
    start = int(token) if token else 0
    size = max_results if max_results else 1000
    page = queues[start : start + size]
    result = {}
    if page:
        result["QueueUrls"] = [q.url(request_url) for q in page]
    if max_results and start + size < len(queues):
        result["NextToken"] = str(start + size)
    return ActionResult(result)


sqs_responses.SQSResponse.list_queues = _list_queues

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    harness = os.path.join(here, "..", "..", "test", "support", "moto_server.py")
    sys.argv = [harness, *sys.argv[1:]]
    runpy.run_path(harness, run_name="__main__")
