using System;

namespace BackupIam.Engine.Errors
{
    /// <summary>What kind of failure an engine exception is. The cmdlet layer maps it to an ErrorCategory.</summary>
    public enum FailureKind
    {
        InvalidArgument,
        InvalidData,
        NotFound,
        AlreadyExists,
        LimitExceeded,
        PermissionDenied,
        ResourceBusy,
        ConnectionError,
        OperationTimeout,
        NotImplemented,
        Unknown,
    }

    /// <summary>
    /// Base of every exception the engine throws on purpose. <see cref="ErrorId"/> is stable PascalCase
    /// (for example <c>BucketNameInvalid</c>) and becomes the PowerShell FullyQualifiedErrorId.
    /// Messages never carry secrets.
    /// </summary>
    public class BackupIamException : Exception
    {
        public BackupIamException(string errorId, FailureKind kind, string message, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
        }

        public string ErrorId { get; }

        public FailureKind Kind { get; }

        /// <summary>The item the failure is about (a bucket name, a user name, a statement), when known.</summary>
        public object? Target { get; set; }
    }

    /// <summary>A caller gave an input that breaks a rule. Thrown before anything is created.</summary>
    public sealed class InputValidationException : BackupIamException
    {
        public InputValidationException(string errorId, string parameterName, string message)
            : base(errorId, FailureKind.InvalidArgument, message)
        {
            ParameterName = parameterName;
        }

        /// <summary>The parameter (or input field) that broke the rule, e.g. <c>BucketName</c>.</summary>
        public string ParameterName { get; }
    }
}
