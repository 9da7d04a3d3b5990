#!/usr/bin/env python3
"""One S3 request with the key in PROBE_ACCESS_KEY / PROBE_SECRET_KEY (never on the command line), for the tool tests.

Usage: s3probe.py ENDPOINT OPERATION BUCKET [KEY] [ARG]
       s3probe.py ENDPOINT --batch     (reads "OPERATION BUCKET KEY ARG" lines on stdin, '-' for none)
Prints one line per request: "OK <detail>" or "ERR <HTTP status> <error code>", and exits 0 either way (2 on bad usage).
With PROBE_ANONYMOUS=1 the request is unsigned.
Operations: get, head, getacl, put, put-acl (ARG = canned ACL for the upload), put-public-acl (PutObjectAcl
public-read), delete, list (KEY = prefix or '-', ARG = delimiter or '-'), list-versions, list-uploads,
put-policy (writes back the bucket's current policy: changes nothing if allowed), put-versioning-suspended,
put-lifecycle (expire everything after 1 day), create-bucket.
"""
import os
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError


def main(argv):
    if len(argv) < 3 or (argv[2] != '--batch' and len(argv) < 4):
        print(__doc__, file=sys.stderr)
        return 2
    endpoint = argv[1]
    config = Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1},
                    signature_version=UNSIGNED if os.environ.get('PROBE_ANONYMOUS') == '1' else None)
    s3 = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1', config=config,
                      aws_access_key_id=os.environ.get('PROBE_ACCESS_KEY', 'anonymous'),
                      aws_secret_access_key=os.environ.get('PROBE_SECRET_KEY', 'anonymous'))
    if argv[2] == '--batch':
        for line in sys.stdin:
            parts = line.split()
            if len(parts) < 2:
                continue
            parts += ['-'] * (4 - len(parts))
            code = probe(s3, parts[0], parts[1], None if parts[2] == '-' else parts[2], None if parts[3] == '-' else parts[3])
            if code:
                return code
        return 0
    key = argv[4] if len(argv) > 4 and argv[4] != '-' else None
    arg = argv[5] if len(argv) > 5 and argv[5] != '-' else None
    return probe(s3, argv[2], argv[3], key, arg)


def probe(s3, op, bucket, key, arg):
    try:
        if op == 'get':
            detail = s3.get_object(Bucket=bucket, Key=key)['Body'].read().decode('utf-8', 'replace')[:40]
        elif op == 'head':
            detail = str(s3.head_object(Bucket=bucket, Key=key)['ContentLength'])
        elif op == 'getacl':
            detail = s3.get_object_acl(Bucket=bucket, Key=key)['Owner'].get('ID', '')
        elif op == 'put':
            s3.put_object(Bucket=bucket, Key=key, Body=b'probe')
            detail = 'put'
        elif op == 'put-acl':
            s3.put_object(Bucket=bucket, Key=key, Body=b'probe', ACL=arg)
            detail = 'put ' + arg
        elif op == 'put-public-acl':
            s3.put_object_acl(Bucket=bucket, Key=key, ACL='public-read')
            detail = 'public-read'
        elif op == 'delete':
            s3.delete_object(Bucket=bucket, Key=key)
            detail = 'deleted'
        elif op == 'list':
            kwargs = {'Bucket': bucket}
            if key:
                kwargs['Prefix'] = key
            if arg:
                kwargs['Delimiter'] = arg
            r = s3.list_objects_v2(**kwargs)
            detail = ','.join([o['Key'] for o in r.get('Contents', [])] + [p['Prefix'] for p in r.get('CommonPrefixes', [])])
        elif op == 'list-versions':
            detail = str(len(s3.list_object_versions(Bucket=bucket).get('Versions', [])))
        elif op == 'list-uploads':
            detail = str(len(s3.list_multipart_uploads(Bucket=bucket).get('Uploads', [])))
        elif op == 'put-policy':
            policy = os.environ.get('PROBE_POLICY') or '{"Version":"2012-10-17","Statement":[]}'
            s3.put_bucket_policy(Bucket=bucket, Policy=policy)
            detail = 'policy'
        elif op == 'put-versioning-suspended':
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={'Status': 'Suspended'})
            detail = 'suspended'
        elif op == 'put-lifecycle':
            s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={'Rules': [
                {'ID': 'probe-expire-all', 'Status': 'Enabled', 'Filter': {'Prefix': ''}, 'Expiration': {'Days': 1}}]})
            detail = 'lifecycle'
        elif op == 'create-bucket':
            s3.create_bucket(Bucket=bucket)
            detail = 'created'
        else:
            print('unknown operation ' + op, file=sys.stderr)
            return 2
        print('OK ' + detail, flush=True)
    except ClientError as e:
        status = e.response.get('ResponseMetadata', {}).get('HTTPStatusCode', 0)
        code = e.response.get('Error', {}).get('Code', '') or 'Unknown'
        print('ERR %s %s' % (status, code), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
