"""Property tests: no generated policy or context crashes the evaluator, and documented rules hold.

Rules from the IAM User Guide, "Policy evaluation logic"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an explicit Deny overrides any Allow; without an Allow the request is implicitly denied; adding a
Deny statement can never turn a denial into an allow. Condition operators
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
``...IfExists`` is true when the key is missing. Resource ARNs: a ``?`` never matches the colon
between the first segments.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.irsa.conditions import arn_like, evaluate_conditions, normalise_context
from handlers.irsa.iam_validate import OPERATORS, PolicyError
from handlers.irsa.permissions import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, PolicySource, evaluate_permission
from handlers.irsa.trust import evaluate_trust

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = ["aws:username", "aws:PrincipalTag/team", "aws:ResourceTag/team", "aws:TagKeys", "aws:CurrentTime", "k"]
text = st.text(alphabet="ab*?:/$ {}'-,0123456789TZ+", max_size=12)
scalar = st.one_of(text, st.integers(-5, 5), st.booleans(), st.sampled_from(["2026-01-01", "1767225600", "3.5"]))
operator = st.builds(
    lambda q, op, ie: q + (op + ("IfExists" if ie and op != "Null" else "")),
    st.sampled_from(["", "ForAllValues:", "ForAnyValue:"]),
    st.sampled_from(sorted(OPERATORS)),
    st.booleans(),
)
condition = st.dictionaries(
    operator,
    st.dictionaries(st.sampled_from(KEYS), st.one_of(scalar, st.lists(scalar, max_size=3)), min_size=1, max_size=2),
    max_size=2,
)
variables = st.sampled_from(["${aws:username}", "${aws:PrincipalTag/team, 'none'}", "${*}", "${?}", "${$}", "${nope}"])
pattern = st.builds(
    lambda a, b: a + b, st.sampled_from(["*", "s3:*", "s3:Get*", "s*:Get", "S3:getobject", "iam:?"]), st.just("")
)
resource = st.builds(
    lambda a, b: a + b,
    st.sampled_from(["*", "arn:aws:s3:::b/", "arn:aws:s3:*", "arn:aws:iam::?:role/", "arn"]),
    st.one_of(text, variables),
)


def _stmt(effect, actions, resources, cond):
    out = {"Effect": effect, "Action": actions, "Resource": resources}
    if cond:
        out["Condition"] = cond
    return out


statement = st.builds(
    _stmt,
    st.sampled_from(["Allow", "Deny"]),
    st.lists(pattern, min_size=1, max_size=2),
    st.lists(resource, min_size=1, max_size=2),
    condition,
)
context = st.dictionaries(st.sampled_from(KEYS), st.one_of(text, st.lists(text, max_size=2), st.none()), max_size=4)
actions = st.sampled_from(["s3:GetObject", "iam:PassRole", "s3:PutObject"])
resources = st.sampled_from(["arn:aws:s3:::b/alice", "arn:aws:iam::1:role/x", "arn:aws:s3:::b/*", "x"])


def decide(statements, action, res, ctx):
    try:
        return evaluate_permission([PolicySource("p", {"Statement": statements})], action, res, ctx).decision
    except PolicyError:
        return None


@SETTINGS
@given(st.lists(statement, max_size=4), actions, resources, context)
def test_no_input_crashes_and_decisions_are_known(statements, action, res, ctx):
    assert decide(statements, action, res, ctx) in (ALLOWED, IMPLICIT_DENY, EXPLICIT_DENY, None)


@SETTINGS
@given(st.lists(statement, max_size=4), actions, resources, context)
def test_no_allow_statement_means_implicit_deny(statements, action, res, ctx):
    denies_only = [{**s, "Effect": "Deny"} for s in statements]
    assert decide(denies_only, action, res, ctx) in (IMPLICIT_DENY, EXPLICIT_DENY, None)


@SETTINGS
@given(st.lists(statement, max_size=3), actions, resources, context)
def test_an_unconditional_matching_deny_beats_any_allow(statements, action, res, ctx):
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    assert decide([*statements, deny], action, res, ctx) in (EXPLICIT_DENY, None)


@SETTINGS
@given(st.lists(statement, max_size=3), statement, actions, resources, context)
def test_adding_a_deny_never_turns_a_denial_into_an_allow(statements, extra, action, res, ctx):
    before = decide(statements, action, res, ctx)
    after = decide([*statements, {**extra, "Effect": "Deny"}], action, res, ctx)
    if before in (IMPLICIT_DENY, EXPLICIT_DENY) and after is not None:
        assert after != ALLOWED


@SETTINGS
@given(operator, st.sampled_from(KEYS), st.one_of(scalar, st.lists(scalar, max_size=3)), context)
def test_if_exists_is_true_on_a_missing_key(op, key, values, ctx):
    if op.endswith("IfExists"):
        ctx = {k: v for k, v in ctx.items() if k.lower() != key.lower()}
        assert evaluate_conditions({op: {key: values}}, normalise_context(ctx)).ok


@SETTINGS
@given(st.lists(st.sampled_from(["arn", "aws", "s3", "iam", "", "1", "x"]), min_size=6, max_size=6), st.integers(0, 4))
def test_question_mark_never_matches_a_colon_in_the_first_segments(segments, at):
    value = ":".join(segments)
    pattern_segments = list(segments)
    merged = pattern_segments[at] + "?" + pattern_segments[at + 1]
    pattern = ":".join([*pattern_segments[:at], merged, *pattern_segments[at + 2 :]])
    assert not arn_like(pattern, value)


PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
HOST = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
claim_condition = st.dictionaries(
    operator,
    st.dictionaries(
        st.sampled_from([f"{HOST}:sub", f"{HOST}:aud", "aws:username"]), st.one_of(scalar, text), max_size=2
    ),
    max_size=2,
)


@SETTINGS
@given(claim_condition, st.sampled_from(["Allow", "Deny"]), st.one_of(st.none(), st.just("sts.amazonaws.com"), text))
def test_trust_evaluator_never_crashes(cond, effect, audience):
    stmt = {"Effect": effect, "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity"}
    if cond:
        stmt["Condition"] = cond
    try:
        verdict = evaluate_trust({"Statement": [stmt]}, "system:serviceaccount:ns:sa", audience, PROVIDER)
    except PolicyError:
        return
    assert verdict.admitted in (True, False)
    if effect == "Deny":
        assert verdict.admitted is False
