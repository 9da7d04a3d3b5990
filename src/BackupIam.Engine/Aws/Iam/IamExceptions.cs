using System;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>
    /// IAM answered with an error. Keeps AWS's error code, message and request id. Subclasses exist for the codes the engine
    /// reacts to; every other code arrives as this type with ErrorId <c>IamServiceError</c> (or <c>IamInvalidInput</c> /
    /// <c>IamAuthenticationFailed</c>).
    /// </summary>
    public class IamServiceException : BackupIamException
    {
        /// <summary>Creates the exception.</summary>
        public IamServiceException(
            string errorId, FailureKind kind, string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus, Exception? inner = null)
            : base(errorId, kind, BuildMessage(action, awsErrorCode, awsMessage, requestId, httpStatus), inner)
        {
            Action = action;
            AwsErrorCode = awsErrorCode;
            AwsMessage = awsMessage;
            RequestId = requestId;
            HttpStatus = httpStatus;
        }

        /// <summary>The IAM action that failed, e.g. <c>CreateUser</c>.</summary>
        public string Action { get; }

        /// <summary>AWS's error code, e.g. <c>NoSuchEntity</c>.</summary>
        public string AwsErrorCode { get; }

        /// <summary>AWS's error message, verbatim (secrets of the caller masked).</summary>
        public string AwsMessage { get; }

        /// <summary>AWS's request id, when the response carried one.</summary>
        public string? RequestId { get; }

        /// <summary>HTTP status code of the failed response (0 when no response arrived).</summary>
        public int HttpStatus { get; }

        private static string BuildMessage(string action, string code, string message, string? requestId, int status)
        {
            return "IAM " + action + " failed: " + code + ": " + message
                + " (HTTP " + status + (string.IsNullOrEmpty(requestId) ? "" : ", request id " + requestId) + ")";
        }
    }

    /// <summary>The entity already exists (<c>EntityAlreadyExists</c>).</summary>
    public sealed class EntityAlreadyExistsException : IamServiceException
    {
        /// <summary>Creates the exception.</summary>
        public EntityAlreadyExistsException(string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus)
            : base("IamEntityAlreadyExists", FailureKind.AlreadyExists, action, awsErrorCode, awsMessage, requestId, httpStatus)
        {
        }
    }

    /// <summary>The entity does not exist (<c>NoSuchEntity</c>).</summary>
    public sealed class NoSuchEntityException : IamServiceException
    {
        /// <summary>Creates the exception.</summary>
        public NoSuchEntityException(string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus)
            : base("IamNoSuchEntity", FailureKind.NotFound, action, awsErrorCode, awsMessage, requestId, httpStatus)
        {
        }
    }

    /// <summary>An IAM quota was hit (<c>LimitExceeded</c>), e.g. a third access key.</summary>
    public sealed class LimitExceededException : IamServiceException
    {
        /// <summary>Creates the exception.</summary>
        public LimitExceededException(string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus)
            : base("IamLimitExceeded", FailureKind.LimitExceeded, action, awsErrorCode, awsMessage, requestId, httpStatus)
        {
        }
    }

    /// <summary>IAM rejected a policy document (<c>MalformedPolicyDocument</c>).</summary>
    public sealed class MalformedPolicyDocumentException : IamServiceException
    {
        /// <summary>Creates the exception.</summary>
        public MalformedPolicyDocumentException(string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus)
            : base("IamMalformedPolicyDocument", FailureKind.InvalidData, action, awsErrorCode, awsMessage, requestId, httpStatus)
        {
        }
    }

    /// <summary>The entity still has attachments and cannot be deleted (<c>DeleteConflict</c>).</summary>
    public sealed class DeleteConflictException : IamServiceException
    {
        /// <summary>Creates the exception.</summary>
        public DeleteConflictException(string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus)
            : base("IamDeleteConflict", FailureKind.ResourceBusy, action, awsErrorCode, awsMessage, requestId, httpStatus)
        {
        }
    }

    /// <summary>The caller may not do this (<c>AccessDenied</c>).</summary>
    public sealed class IamAccessDeniedException : IamServiceException
    {
        /// <summary>Creates the exception.</summary>
        public IamAccessDeniedException(string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus)
            : base("IamAccessDenied", FailureKind.PermissionDenied, action, awsErrorCode, awsMessage, requestId, httpStatus)
        {
        }
    }

    /// <summary>IAM kept throttling after every retry (<c>Throttling</c>, HTTP 429).</summary>
    public sealed class IamThrottledException : IamServiceException
    {
        /// <summary>Creates the exception.</summary>
        public IamThrottledException(string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus)
            : base("IamThrottled", FailureKind.LimitExceeded, action, awsErrorCode, awsMessage, requestId, httpStatus)
        {
        }
    }
}
