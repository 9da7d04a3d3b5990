using System;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>
    /// IAM answered with an error: an <see cref="AwsServiceException"/> of <see cref="AwsService.Iam"/>, classified by
    /// <see cref="AwsErrorClassifier"/>. Subclasses exist for the codes the engine reacts to, named as AWSSDK names them so
    /// that SDK-shaped code catches them unchanged; every other answer arrives as this type (ErrorId <c>IamServiceError</c>,
    /// <c>IamInvalidInput</c>, <c>IamAuthenticationFailed</c>, <c>IamConcurrentModification</c> or
    /// <c>IamOperationNotSupported</c>).
    /// </summary>
    public class IamServiceException : AwsServiceException
    {
        /// <summary>Creates the exception.</summary>
        public IamServiceException(
            string errorId, FailureKind kind, string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus, Exception? inner = null)
            : this(errorId, kind, action, awsErrorCode, awsMessage, requestId, httpStatus, null, inner)
        {
        }

        /// <summary>Creates the exception with advice on what to do instead.</summary>
        public IamServiceException(
            string errorId, FailureKind kind, string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus, string? advice,
            Exception? inner)
            : base(AwsService.Iam, errorId, kind, action, null, awsErrorCode, awsMessage, requestId, httpStatus, advice, inner)
        {
        }

        /// <summary>The IAM action that failed, e.g. <c>CreateUser</c> (the same as <see cref="AwsServiceException.Operation"/>).</summary>
        public string Action => Operation;

        /// <summary>Classifies an IAM error answer and creates the matching exception type.</summary>
        public static IamServiceException Create(string action, string awsErrorCode, string awsMessage, string? requestId, int httpStatus)
        {
            AwsErrorClass c = AwsErrorClassifier.Classify(AwsService.Iam, action, awsErrorCode, httpStatus);
            switch (c.ErrorId)
            {
                case "IamEntityAlreadyExists":
                    return new EntityAlreadyExistsException(action, awsErrorCode, awsMessage, requestId, httpStatus);
                case "IamNoSuchEntity":
                    return new NoSuchEntityException(action, awsErrorCode, awsMessage, requestId, httpStatus);
                case "IamLimitExceeded":
                    return new LimitExceededException(action, awsErrorCode, awsMessage, requestId, httpStatus);
                case "IamMalformedPolicyDocument":
                    return new MalformedPolicyDocumentException(action, awsErrorCode, awsMessage, requestId, httpStatus);
                case "IamDeleteConflict":
                    return new DeleteConflictException(action, awsErrorCode, awsMessage, requestId, httpStatus);
                case "IamAccessDenied":
                    return new IamAccessDeniedException(action, awsErrorCode, awsMessage, requestId, httpStatus);
                case "IamThrottled":
                    return new IamThrottledException(action, awsErrorCode, awsMessage, requestId, httpStatus);
                default:
                    return new IamServiceException(c.ErrorId, c.Kind, action, awsErrorCode, awsMessage, requestId, httpStatus, c.Advice, null);
            }
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
