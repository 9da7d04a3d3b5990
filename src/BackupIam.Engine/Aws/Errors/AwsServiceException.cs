using System;
using System.Globalization;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>The AWS service (or S3-compatible store) a request went to.</summary>
    public enum AwsService
    {
        /// <summary>IAM (query protocol, our own client).</summary>
        Iam,

        /// <summary>S3 (AWSSDK.S3).</summary>
        S3,

        /// <summary>STS (AWSSDK.SecurityToken).</summary>
        Sts,
    }

    /// <summary>
    /// A service answered a request with an error. The one exception type of the AWS layer for service answers: it keeps the
    /// service's error code, message, request id and HTTP status, and the <see cref="BackupIamException.ErrorId"/> and
    /// <see cref="FailureKind"/> that <see cref="AwsErrorClassifier"/> gave them. <c>IamServiceException</c> (and the
    /// SDK-shaped IAM subclasses such as <c>NoSuchEntityException</c>) and <c>S3ServiceException</c> derive from it only so
    /// that callers can catch them the way they would catch AWSSDK's types.
    /// </summary>
    public class AwsServiceException : BackupIamException
    {
        /// <summary>Creates the exception; the message is built from the fields (and never quotes a response body).</summary>
        public AwsServiceException(
            AwsService service, string errorId, FailureKind kind, string operation, string? resource, string awsErrorCode, string awsMessage,
            string? requestId, int httpStatus, string? advice, Exception? inner)
            : base(errorId, kind, BuildMessage(service, operation, resource, awsErrorCode, awsMessage, requestId, httpStatus, advice), inner)
        {
            Service = service;
            Operation = operation;
            AwsErrorCode = awsErrorCode;
            AwsMessage = awsMessage;
            RequestId = requestId;
            HttpStatus = httpStatus;
            Advice = advice;
        }

        /// <summary>The service that answered.</summary>
        public AwsService Service { get; }

        /// <summary>The operation that failed, e.g. <c>CreateUser</c> or <c>PutBucketPolicy</c>.</summary>
        public string Operation { get; }

        /// <summary>The service's error code as it sent it, e.g. <c>NoSuchEntity</c> (<c>Http404</c> when the answer had no error document).</summary>
        public string AwsErrorCode { get; }

        /// <summary>The service's error message, verbatim (secrets of the caller masked).</summary>
        public string AwsMessage { get; }

        /// <summary>The request id, when the response carried one.</summary>
        public string? RequestId { get; }

        /// <summary>HTTP status code of the failed response (0 when no response arrived).</summary>
        public int HttpStatus { get; }

        /// <summary>What to do instead, when the classifier knows (for example on a store that does not offer the call).</summary>
        public string? Advice { get; }

        /// <summary>The display name of a service in messages: IAM, S3, STS.</summary>
        public static string DisplayName(AwsService service)
        {
            switch (service)
            {
                case AwsService.Iam:
                    return "IAM";
                case AwsService.Sts:
                    return "STS";
                default:
                    return "S3";
            }
        }

        private static string BuildMessage(
            AwsService service, string operation, string? resource, string code, string message, string? requestId, int status, string? advice)
        {
            return DisplayName(service) + " " + operation + (string.IsNullOrEmpty(resource) ? "" : " on " + resource) + " failed: " + code + ": " + message
                + " (HTTP " + status.ToString(CultureInfo.InvariantCulture) + (string.IsNullOrEmpty(requestId) ? "" : ", request id " + requestId) + ")"
                + (string.IsNullOrEmpty(advice) ? "" : ". " + advice);
        }
    }
}
