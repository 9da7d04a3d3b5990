using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>What <see cref="AwsErrorClassifier"/> made of an error answer.</summary>
    public readonly struct AwsErrorClass
    {
        /// <summary>Creates a classification.</summary>
        public AwsErrorClass(string errorId, FailureKind kind, string? advice = null)
        {
            ErrorId = errorId;
            Kind = kind;
            Advice = advice;
        }

        /// <summary>Stable PascalCase error id, e.g. <c>IamNoSuchEntity</c>.</summary>
        public string ErrorId { get; }

        /// <summary>The failure kind (becomes the ErrorRecord's category).</summary>
        public FailureKind Kind { get; }

        /// <summary>What to do instead, when known; null otherwise.</summary>
        public string? Advice { get; }
    }

    /// <summary>The parts of an error document: code, message and request id (each null when absent).</summary>
    public readonly struct AwsErrorDocument
    {
        /// <summary>Creates the parts.</summary>
        public AwsErrorDocument(string? code, string? message, string? requestId)
        {
            Code = code;
            Message = message;
            RequestId = requestId;
        }

        /// <summary>The error code, e.g. <c>NoSuchEntity</c>.</summary>
        public string? Code { get; }

        /// <summary>The error message.</summary>
        public string? Message { get; }

        /// <summary>The request id.</summary>
        public string? RequestId { get; }
    }

    /// <summary>
    /// The one classifier of AWS error answers for IAM, S3 and STS: error code and HTTP status to a stable error id and a
    /// <see cref="FailureKind"/>. This is also THE place where S3-compatible stores' non-standard answers are mapped:
    /// <list type="bullet">
    /// <item>IAM answers 404 only for a missing entity; Ceph RGW sends such 404s with no error document, or with a
    /// <c>NoSuchEntity</c> nested inside a malformed <c>&lt;GetUserPolicyResult&gt;</c>: both are <c>IamNoSuchEntity</c>.</item>
    /// <item>IAM calls a store does not offer (RGW: users, access keys, groups, managed policies answer 405
    /// <c>MethodNotAllowed</c>) are <c>IamOperationNotSupported</c>, with advice on what to do there instead.</item>
    /// </list>
    /// </summary>
    public static class AwsErrorClassifier
    {
        private static readonly HashSet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal)
        {
            "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled",
            "RequestThrottledException", "SlowDown",
        };

        private static readonly HashSet<string> AuthenticationCodes = new HashSet<string>(StringComparer.Ordinal)
        {
            "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken", "ExpiredToken",
            "InvalidAccessKeyId", "InvalidToken",
        };

        private static readonly Regex CodeElement = new Regex("<Code>([^<]{1,200})</Code>", RegexOptions.CultureInvariant);
        private static readonly Regex MessageElement = new Regex("<Message>([^<]{0,2000})</Message>", RegexOptions.CultureInvariant);
        private static readonly Regex RequestIdElement = new Regex("<RequestId>([^<]{1,200})</RequestId>", RegexOptions.CultureInvariant);

        /// <summary>True for the codes (or HTTP 429) that mean "slow down": such a request certainly did not take effect.</summary>
        public static bool IsThrottling(string? code, int httpStatus)
        {
            return httpStatus == 429 || (code != null && ThrottlingCodes.Contains(code));
        }

        /// <summary>Classifies an error answer of <paramref name="service"/> to <paramref name="operation"/>.</summary>
        /// <param name="service">Which service answered.</param>
        /// <param name="operation">The operation, e.g. <c>CreateUser</c> (used for advice).</param>
        /// <param name="code">The error code, or <c>Http&lt;status&gt;</c> when the answer had no error document.</param>
        /// <param name="httpStatus">The HTTP status (0 when unknown).</param>
        public static AwsErrorClass Classify(AwsService service, string operation, string code, int httpStatus)
        {
            switch (service)
            {
                case AwsService.Iam:
                    return ClassifyIam(operation, code, httpStatus);
                case AwsService.Sts:
                    return ClassifySts(code, httpStatus);
                default:
                    return ClassifyS3(code, httpStatus);
            }
        }

        /// <summary>
        /// Reads code, message and request id from an XML error answer (IAM's <c>&lt;ErrorResponse&gt;</c>, S3's <c>&lt;Error&gt;</c>,
        /// an error nested anywhere). When the body is not well-formed XML (RGW's 404 to GetUserPolicy), the elements are
        /// picked out of the text. Never returns the body itself.
        /// </summary>
        public static AwsErrorDocument ReadErrorDocument(byte[] body)
        {
            if (body == null || body.Length == 0)
            {
                return default;
            }

            try
            {
                var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
                using (var stream = new MemoryStream(body))
                using (var reader = XmlReader.Create(stream, settings))
                {
                    XElement root = XElement.Load(reader);
                    XElement? error = root.DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == "Error");
                    string? requestId = root.DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
                    if (error == null)
                    {
                        return new AwsErrorDocument(null, null, requestId);
                    }

                    return new AwsErrorDocument(
                        error.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value,
                        error.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? "",
                        requestId);
                }
            }
            catch (XmlException)
            {
                // A malformed document: pick the elements out of the text, the way RGW's answers need it.
                string text = Encoding.UTF8.GetString(body);
                Match code = CodeElement.Match(text);
                if (!code.Success)
                {
                    return new AwsErrorDocument(null, null, Group(RequestIdElement.Match(text)));
                }

                return new AwsErrorDocument(
                    XmlUnescape(code.Groups[1].Value.Trim()),
                    XmlUnescape(Group(MessageElement.Match(text)) ?? ""),
                    Group(RequestIdElement.Match(text)));
            }
        }

        private static AwsErrorClass ClassifyIam(string operation, string code, int status)
        {
            switch (code)
            {
                case "EntityAlreadyExists":
                    return new AwsErrorClass("IamEntityAlreadyExists", FailureKind.AlreadyExists);
                case "NoSuchEntity":
                    return new AwsErrorClass("IamNoSuchEntity", FailureKind.NotFound);
                case "LimitExceeded":
                    return new AwsErrorClass("IamLimitExceeded", FailureKind.LimitExceeded);
                case "MalformedPolicyDocument":
                    return new AwsErrorClass("IamMalformedPolicyDocument", FailureKind.InvalidData);
                case "DeleteConflict":
                    return new AwsErrorClass("IamDeleteConflict", FailureKind.ResourceBusy);
                case "AccessDenied":
                case "AccessDeniedException":
                case "UnauthorizedOperation":
                    return new AwsErrorClass("IamAccessDenied", FailureKind.PermissionDenied);
                case "InvalidInput":
                case "ValidationError":
                case "InvalidParameterValue":
                case "InvalidParameterCombination":
                case "MissingParameter":
                    return new AwsErrorClass("IamInvalidInput", FailureKind.InvalidArgument);
                case "ConcurrentModification":
                    return new AwsErrorClass("IamConcurrentModification", FailureKind.ResourceBusy);
                case "MethodNotAllowed":
                case "NotImplemented":
                    return new AwsErrorClass("IamOperationNotSupported", FailureKind.NotImplemented, IamUnsupportedAdvice(operation));
            }

            if (AuthenticationCodes.Contains(code))
            {
                return new AwsErrorClass("IamAuthenticationFailed", FailureKind.PermissionDenied);
            }

            if (IsThrottling(code, status))
            {
                return new AwsErrorClass("IamThrottled", FailureKind.LimitExceeded);
            }

            switch (status)
            {
                case 403:
                    return new AwsErrorClass("IamAccessDenied", FailureKind.PermissionDenied);
                case 404:
                    // AWS IAM answers 404 only with NoSuchEntity; S3-compatible stores (Ceph RGW) send it with no
                    // document, with NotFound, or with a NoSuchEntity the XML reader could not reach.
                    return new AwsErrorClass("IamNoSuchEntity", FailureKind.NotFound);
                case 405:
                case 501:
                    return new AwsErrorClass("IamOperationNotSupported", FailureKind.NotImplemented, IamUnsupportedAdvice(operation));
            }

            return new AwsErrorClass("IamServiceError", FailureKind.Unknown);
        }

        private static AwsErrorClass ClassifyS3(string code, int status)
        {
            switch (code)
            {
                case "NoSuchBucket":
                    return new AwsErrorClass("S3NoSuchBucket", FailureKind.NotFound);
                case "AccessDenied":
                case "AllAccessDisabled":
                    return new AwsErrorClass("S3AccessDenied", FailureKind.PermissionDenied);
                case "BucketAlreadyOwnedByYou":
                    return new AwsErrorClass("S3BucketAlreadyOwnedByYou", FailureKind.AlreadyExists);
                case "BucketAlreadyExists":
                    return new AwsErrorClass("S3BucketAlreadyExists", FailureKind.AlreadyExists);
                case "SlowDown":
                case "Throttling":
                case "ThrottlingException":
                case "RequestLimitExceeded":
                    return new AwsErrorClass("S3Throttled", FailureKind.LimitExceeded);
                case "InvalidAccessKeyId":
                case "SignatureDoesNotMatch":
                case "ExpiredToken":
                case "InvalidToken":
                case "InvalidClientTokenId":
                    return new AwsErrorClass("S3AuthenticationFailed", FailureKind.PermissionDenied);
                case "InvalidBucketName":
                case "InvalidArgument":
                case "InvalidRequest":
                case "MalformedPolicy":
                case "MalformedXML":
                case "InvalidLocationConstraint":
                case "IllegalLocationConstraintException":
                    return new AwsErrorClass("S3InvalidRequest", FailureKind.InvalidArgument);
                case "BucketNotEmpty":
                case "OperationAborted":
                    return new AwsErrorClass("S3BucketBusy", FailureKind.ResourceBusy);
            }

            return status == 403
                ? new AwsErrorClass("S3AccessDenied", FailureKind.PermissionDenied)
                : new AwsErrorClass("S3ServiceError", FailureKind.Unknown);
        }

        private static AwsErrorClass ClassifySts(string code, int status)
        {
            bool auth = code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken" || code == "AccessDenied" || status == 403;
            return auth
                ? new AwsErrorClass("StsAuthenticationFailed", FailureKind.PermissionDenied, "The credentials are not valid for this account/endpoint.")
                : new AwsErrorClass("StsServiceError", FailureKind.Unknown);
        }

        private static string IamUnsupportedAdvice(string operation)
        {
            string head = "This IAM endpoint does not offer " + operation + " (Ceph RGW, for example, answers 405 MethodNotAllowed). ";
            if (operation.IndexOf("AccessKey", StringComparison.Ordinal) >= 0)
            {
                return head + "Make the key on the store itself, for example 'radosgw-admin key create --uid=NAME --key-type=s3 --gen-access-key --gen-secret', "
                    + "and store its secret yourself.";
            }

            if (operation.IndexOf("Group", StringComparison.Ordinal) >= 0 && operation.IndexOf("GroupsForUser", StringComparison.Ordinal) < 0)
            {
                return head + "The store has no IAM groups: give the policy to the user as an inline policy (Set-BackupUserPolicy) "
                    + "or grant it with a bucket policy (New-WriteOnlyBucketPolicy | Set-BackupBucketPolicy) instead.";
            }

            if (operation.IndexOf("GroupsForUser", StringComparison.Ordinal) >= 0)
            {
                return head + "The store has no IAM groups: give policies to the user inline (Set-BackupUserPolicy) or use a bucket policy.";
            }

            if (operation.IndexOf("User", StringComparison.Ordinal) >= 0 || operation.IndexOf("LoginProfile", StringComparison.Ordinal) >= 0)
            {
                if (operation.IndexOf("UserPolic", StringComparison.Ordinal) >= 0 && operation.IndexOf("Attached", StringComparison.Ordinal) < 0)
                {
                    return head + "On Ceph RGW, give the admin user the caps 'user-policy=*' (radosgw-admin caps add --uid=ADMIN --caps=\"user-policy=*\").";
                }

                if (operation.IndexOf("Attached", StringComparison.Ordinal) >= 0)
                {
                    return head + "The store has no managed policies: use inline user policies (Set-BackupUserPolicy) or a bucket policy.";
                }

                return head + "Manage users on the store itself, for example 'radosgw-admin user create --uid=NAME --display-name=NAME', "
                    + "then give the policy to that user with Set-BackupUserPolicy.";
            }

            return head + "Do this step with the store's own administration tool (for Ceph RGW: radosgw-admin).";
        }

        private static string? Group(Match match) => match.Success ? match.Groups[1].Value : null;

        private static string XmlUnescape(string text)
        {
            return text.Replace("&lt;", "<").Replace("&gt;", ">").Replace("&quot;", "\"").Replace("&apos;", "'").Replace("&amp;", "&");
        }
    }
}
