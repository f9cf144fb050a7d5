"""Names vulture cannot see used, because a framework, a protocol or pytest calls them by name.

``make lint`` runs ``vulture bot handlers sandbox tests bench vulture_allow.py``; each attribute
below counts as a use. Anything else vulture reports is dead and should go.
"""

from types import SimpleNamespace

_ = SimpleNamespace()

# Alembic: read from every migration module and passed to include_object by keyword
_.down_revision
_.branch_labels
_.depends_on
_.compare_to
_.reflected
# Python: a module's __getattr__ (PEP 562), which loads a feature's parts on first use
_.__getattr__
# pydantic-settings: the model's configuration and a field validator
_.model_config
_._known_zone
# SQLAlchemy: TypeDecorator hooks and an engine event listener
_.impl
_.cache_ok
_.process_bind_param
_.process_result_value
_._sqlite_pragmas
# slack_sdk retry handlers; Bolt listeners registered by decorator
_.can_retry
_._can_retry
_.ack_unknown_action
_.on_error
# Bolt's listener runner reads the lazy-listener runner the bot sets on it
_.lazy_listener_runner
# kubernetes client configuration, uvicorn server flags, logging records, moto's model attribute
_.refresh_api_key_hook
_.should_exit
_.force_exit
_.levelname
_.private_dns_enabled
# http.server request handlers and server options
_.protocol_version
_.do_GET
_.do_POST
_.do_PUT
_.do_PATCH
_.do_DELETE
_.log_message
_.daemon_threads
# facts read from AWS and Slack, kept whole in their records although no rule reads them yet
_.profile_arn
_.dns
_.release_version
_.launch_template
_.initial_comment
# pytest: fixtures requested by parameter name, module marks; unittest.mock attributes
_.no_credentials
_.no_matplotlib
_.labelled
_._no_default_amis
_.pytestmark
_.side_effect
# a stand-in's method keeps boto3's parameter name; a child process target named in a script string
_.OpenIDConnectProviderArn
_._slow_reader_process
# the source files a test's messages are copied from, named as constants beside them
_.KUBELET
_.CONTAINERD
