"""The AWS CDK app: one stack per stage, built from `chalicelib.topology` like the local stack.

`python -m infra.cdk.app` synthesises every stage into `cdk.out/` offline (no AWS account and
no network: the account is a placeholder unless the CDK CLI supplies a real one).
"""
