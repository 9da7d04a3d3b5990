#!/usr/bin/env python3
"""The five setups as plain boto3 scripts, for bench/Measure-Latency.ps1 to run beside BackupIam.

Each makes only the writes: the same write calls, one per resource, as BackupIam's first run makes (the list that
tests/Provisioning.Tests.ps1 pins). It reads nothing first, so unlike BackupIam it is NOT safe to re-run. The endpoint,
credentials and region come from the environment (AWS_ENDPOINT_URL etc.), as for the module.

Usage: boto3_setups.py SETUP SUFFIX POLICIES.json
POLICIES.json maps the setup number to the policy document the module generates for it.
"""
import json
import sys

import boto3


def bucket(s3, name, folders=()):
    s3.create_bucket(Bucket=name)
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    for folder in folders:
        s3.put_object(Bucket=name, Key=folder, Body=b"")


def main():
    setup, s, policies = int(sys.argv[1]), sys.argv[2], json.load(open(sys.argv[3], encoding="utf-8"))
    policy = policies[str(setup)].replace("{S}", s)
    s3 = boto3.client("s3")
    iam = boto3.client("iam")
    if setup == 1:
        bucket(s3, f"your-bucket-name-{s}", ("backup/", "backup/schemas/", "backup/apps/"))
        iam.create_group(GroupName=f"MySiteBackupUsers-{s}")
        iam.put_group_policy(GroupName=f"MySiteBackupUsers-{s}", PolicyName="UploadFilesToBackup", PolicyDocument=policy)
        iam.create_user(UserName=f"MySiteBackupUser-{s}")
        iam.add_user_to_group(GroupName=f"MySiteBackupUsers-{s}", UserName=f"MySiteBackupUser-{s}")
        iam.create_access_key(UserName=f"MySiteBackupUser-{s}")
    elif setup == 2:
        bucket(s3, f"my-backup-bucket-{s}")
        iam.create_user(UserName=f"backup-{s}")
        iam.create_access_key(UserName=f"backup-{s}")
        s3.put_bucket_policy(Bucket=f"my-backup-bucket-{s}", Policy=policy)
    elif setup == 3:
        bucket(s3, f"backup-bucket-{s}")
        iam.create_group(GroupName=f"S3Backup-{s}")
        iam.put_group_policy(GroupName=f"S3Backup-{s}", PolicyName="S3BackupPolicy", PolicyDocument=policy)
        iam.create_user(UserName=f"boto-backup-{s}")
        iam.add_user_to_group(GroupName=f"S3Backup-{s}", UserName=f"boto-backup-{s}")
        iam.create_access_key(UserName=f"boto-backup-{s}")
    elif setup == 4:
        bucket(s3, f"rclone-backups-{s}")
        iam.create_user(UserName=f"rclone-{s}")
        iam.create_access_key(UserName=f"rclone-{s}")
        iam.put_user_policy(UserName=f"rclone-{s}", PolicyName="RcloneDataset1", PolicyDocument=policy)
    elif setup == 5:
        bucket(s3, f"wp-backups-{s}")
        s3.put_bucket_versioning(Bucket=f"wp-backups-{s}", VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_lifecycle_configuration(Bucket=f"wp-backups-{s}", LifecycleConfiguration={"Rules": [{
            "ID": "backupiam-retention", "Status": "Enabled", "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]})
        iam.create_user(UserName=f"updraftplus-{s}")
        iam.create_access_key(UserName=f"updraftplus-{s}")
        iam.put_user_policy(UserName=f"updraftplus-{s}", PolicyName="UpdraftPlusSecure", PolicyDocument=policy)
    else:
        sys.exit("unknown setup %d" % setup)


if __name__ == "__main__":
    main()
