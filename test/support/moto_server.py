"""moto server with edaguard's test-harness patches. Each patch fixes an upstream moto bug that
real AWS does not have; test/integration/motoGaps.test.ts shows the upstream behaviour, so that
a patch can be dropped when moto fixes it. Listed in README.md (Testing)."""
import sys

from moto.awslambda import models as lambda_models


def _put_function_event_invoke_config(self, function_name, config):
    # Upstream appends a second config and GetFunctionEventInvokeConfig keeps returning the first;
    # AWS replaces the whole config on every Put.
    fn = self.get_function(function_name)
    event_config = lambda_models.EventInvokeConfig(fn.function_arn, fn.last_modified, config)
    fn.event_invoke_config = [event_config]
    return event_config.response()


lambda_models.LambdaBackend.put_function_event_invoke_config = _put_function_event_invoke_config

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
