"""Settings every test shares: no real AWS account, no tracing, quiet Powertools."""

import os

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-2",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Integrations",
        "POWERTOOLS_SERVICE_NAME": "tests",
        "POWERTOOLS_LOGGER_LOG_EVENT": "false",
        "POWERTOOLS_DEV": "false",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

# moto intercepts AWS calls through a hook botocore copies into each session when the session is made: a session made
# before moto is imported (the layer's one per process, local.resources', the local stack's) would reach real AWS
# under mock_aws. Import it before anything can make one, whatever order pytest loads the test modules in.
import moto  # noqa: F401
