using System;
using System.Collections.Concurrent;
using System.Reflection;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// The expected bucket owner (issue 17): the account id sent as <c>x-amz-expected-bucket-owner</c> on every request
    /// whose S3 API takes it (all bucket and object calls; not CreateBucket, not ListBuckets), and the plain words for a
    /// bucket that belongs to another account. AWS refuses a request whose bucket another account owns with 403
    /// AccessDenied; Ceph RGW 16 and moto ignore the header (a wrong id is answered 200), so there it protects nothing
    /// and a foreign bucket shows only as BucketAlreadyExists or AccessDenied.
    /// </summary>
    public static class BucketOwnership
    {
        /// <summary>The header AWSSDK.S3 writes for a request's ExpectedBucketOwner.</summary>
        public const string Header = "x-amz-expected-bucket-owner";

        /// <summary>ErrorId of a request refused because the bucket is owned by another account than the expected one.</summary>
        public const string MismatchErrorId = "S3BucketOwnerMismatch";

        /// <summary>What every "another account" message says, so that users (and tests) recognise it.</summary>
        public const string GlobalNames = "this name belongs to another AWS account; bucket names are global";

        private static readonly ConcurrentDictionary<Type, PropertyInfo?> s_properties = new ConcurrentDictionary<Type, PropertyInfo?>();

        /// <summary>
        /// True when the request's S3 API takes ExpectedBucketOwner (its AWSSDK.S3 request type has that property, as
        /// every bucket and object request does; CreateBucket's and ListBuckets' do not) and the request sets none itself.
        /// </summary>
        public static bool Takes(object request)
        {
            if (request == null)
            {
                return false;
            }

            PropertyInfo? property = s_properties.GetOrAdd(request.GetType(), t =>
            {
                PropertyInfo? p = t.GetProperty("ExpectedBucketOwner", BindingFlags.Public | BindingFlags.Instance);
                return p != null && p.PropertyType == typeof(string) && p.CanRead ? p : null;
            });
            return property != null && string.IsNullOrEmpty(property.GetValue(request) as string);
        }

        /// <summary>
        /// The error for a request refused with 403 while <paramref name="owner"/> was expected, when the same bucket
        /// answers HeadBucket without the header: so the header made the difference and another account owns it.
        /// </summary>
        public static S3ServiceException OwnedByAnotherAccount(S3ServiceException ex, string bucket, string owner)
        {
            if (ex == null)
            {
                throw new ArgumentNullException(nameof(ex));
            }

            return new S3ServiceException(MismatchErrorId, FailureKind.PermissionDenied, ex.Operation, bucket, ex.AwsErrorCode,
                Join(ex.AwsMessage, $"Bucket '{bucket}' is owned by another account, not {owner} (the expected bucket owner, sent as {Header}): "
                    + $"{GlobalNames}. S3 refused the request, so nothing was written to it. Check the bucket name, or choose another one "
                    + $"(for example with your account id as a suffix); if you do mean a bucket of another account, give that account's id as -ExpectedBucketOwner"),
                ex.RequestId, ex.HttpStatus, ex);
        }

        /// <summary>
        /// The error for a request on an existing bucket refused with 403 AccessDenied when it cannot be told whether the
        /// bucket is another account's or the caller's own with a policy that denies the call: the likely cause first.
        /// </summary>
        public static S3ServiceException AccessDenied(S3ServiceException ex, string bucket, string? owner)
        {
            if (ex == null)
            {
                throw new ArgumentNullException(nameof(ex));
            }

            string advice = owner == null
                ? $"Bucket '{bucket}' exists but these credentials may not use it: if it is not your bucket, {GlobalNames}; choose another name. "
                    + $"If it is yours, your policy denies this call (s3:{ex.Operation} or its permission) on it"
                : $"Bucket '{bucket}' exists but refused a request that expected account {owner} to own it: either {GlobalNames} (choose another name), "
                    + "or it is yours and your policy denies this call on it";
            return new S3ServiceException(ex.ErrorId, ex.Kind, ex.Operation, bucket, ex.AwsErrorCode, Join(ex.AwsMessage, advice),
                ex.RequestId, ex.HttpStatus, ex);
        }

        /// <summary>True for an answer that may mean "another account owns this bucket": 403 AccessDenied to anything but CreateBucket/ListBuckets.</summary>
        public static bool MayBeAnotherAccount(S3ServiceException ex) =>
            ex != null && ex.HttpStatus == 403 && ex.ErrorId == "S3AccessDenied" && ex.Operation != "CreateBucket" && ex.Operation != "ListBuckets";

        private static string Join(string awsMessage, string advice)
        {
            string first = (awsMessage ?? "").Trim().TrimEnd('.');
            return first.Length == 0 ? advice : first + ". " + advice;
        }
    }
}
