using System;
using System.Reflection;
using Amazon.Runtime;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// Turns credentials made by another module (AWS.Tools' AWSCredentials or AWSPSCredentials, loaded from a different
    /// AWSSDK.Core in another load context) into our own AWSCredentials, by shape rather than by type, so that
    /// AWS.Tools' objects and $StoredAWSCredentials work however the two modules were imported.
    /// </summary>
    public static class ForeignCredentials
    {
        /// <summary>
        /// Returns our credentials, or sets <paramref name="profileName"/> for a string value. The caller unwraps any
        /// PowerShell wrapper first. Lives in the engine so that only the engine's load context ever touches AWSSDK types.
        /// </summary>
        public static AWSCredentials? Convert(object? value, string parameterName, out string? profileName)
        {
            profileName = null;
            object? item = value;
            if (item == null)
            {
                return null;
            }

            if (item is AWSCredentials own)
            {
                return own;
            }

            if (item is string name)
            {
                profileName = name;
                return null;
            }

            // AWS.Tools' AWSPSCredentials wraps the SDK credentials in a Credentials property.
            PropertyInfo? inner = item.GetType().GetProperty("Credentials", BindingFlags.Public | BindingFlags.Instance);
            if (inner != null && inner.GetIndexParameters().Length == 0)
            {
                object? wrapped = inner.GetValue(item);
                if (wrapped != null && !ReferenceEquals(wrapped, item))
                {
                    item = wrapped;
                    if (item is AWSCredentials ownInner)
                    {
                        return ownInner;
                    }
                }
            }

            MethodInfo? getCredentials = item.GetType().GetMethod("GetCredentials", BindingFlags.Public | BindingFlags.Instance, null, Type.EmptyTypes, null);
            if (getCredentials == null)
            {
                throw new InputValidationException("CredentialInvalid", parameterName,
                    $"{Describe(parameterName)} takes an AWSCredentials object (for example from AWS.Tools' Get-AWSCredential or New-AWSCredential); got {item.GetType().FullName}.");
            }

            object? immutable = getCredentials.Invoke(item, null);
            string? accessKey = Read(immutable, "AccessKey");
            string? secretKey = Read(immutable, "SecretKey");
            string? token = Read(immutable, "Token");
            if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
            {
                throw new InputValidationException("CredentialInvalid", parameterName, $"The credentials given to {Describe(parameterName)} have no access key.");
            }

            return string.IsNullOrEmpty(token)
                ? new BasicAWSCredentials(accessKey, secretKey)
                : (AWSCredentials)new SessionAWSCredentials(accessKey, secretKey, token);
        }

        private static string Describe(string parameterName) => parameterName.StartsWith("$", StringComparison.Ordinal) ? parameterName : "-" + parameterName;

        private static string? Read(object? value, string property) =>
            value?.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.GetValue(value) as string;
    }
}
