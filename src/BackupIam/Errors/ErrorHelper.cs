using System;
using System.Management.Automation;
using BackupIam.Engine.Errors;

namespace BackupIam.Errors
{
    /// <summary>
    /// The one place that builds ErrorRecords: ids are stable PascalCase, categories map from the
    /// engine's failure kinds (which map from AWS codes), and the target is the item being processed.
    /// </summary>
    internal static class ErrorHelper
    {
        public static ErrorRecord FromException(Exception exception, object? target)
        {
            if (exception is BackupIamException engine)
            {
                // The engine knows best which item failed (e.g. the missing group, not the user being added to it).
                var record = new ErrorRecord(exception, engine.ErrorId, MapCategory(engine.Kind), engine.Target ?? target);
                if (exception is InputValidationException input)
                {
                    record.ErrorDetails = new ErrorDetails(exception.Message)
                    {
                        RecommendedAction = input.ParameterName.StartsWith("$", StringComparison.Ordinal)
                            ? $"Correct {input.ParameterName} and run the command again."
                            : $"Correct the value of -{input.ParameterName} and run the command again.",
                    };
                }

                return record;
            }

            if (exception is IContainsErrorRecord known && known.ErrorRecord != null)
            {
                // PowerShell's own exceptions (a path that does not exist, ...) keep their id and category.
                return new ErrorRecord(known.ErrorRecord, exception);
            }

            return new ErrorRecord(exception, "UnexpectedError", ErrorCategory.NotSpecified, target);
        }

        public static ErrorRecord InvalidArgument(string errorId, string parameterName, string message, object? target)
        {
            return FromException(new InputValidationException(errorId, parameterName, message), target);
        }

        public static ErrorCategory MapCategory(FailureKind kind)
        {
            switch (kind)
            {
                case FailureKind.InvalidArgument: return ErrorCategory.InvalidArgument;
                case FailureKind.InvalidData: return ErrorCategory.InvalidData;
                case FailureKind.NotFound: return ErrorCategory.ObjectNotFound;
                case FailureKind.AlreadyExists: return ErrorCategory.ResourceExists;
                case FailureKind.LimitExceeded: return ErrorCategory.LimitsExceeded;
                case FailureKind.PermissionDenied: return ErrorCategory.PermissionDenied;
                case FailureKind.ResourceBusy: return ErrorCategory.ResourceBusy;
                case FailureKind.ConnectionError: return ErrorCategory.ConnectionError;
                case FailureKind.OperationTimeout: return ErrorCategory.OperationTimeout;
                case FailureKind.NotImplemented: return ErrorCategory.NotImplemented;
                default: return ErrorCategory.NotSpecified;
            }
        }
    }
}
